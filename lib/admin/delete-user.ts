import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import type { AppRole } from "../auth/permissions";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { createAdminClient } from "../supabase/admin";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertAuthorizedInDb, assertCan, assertNotSelf } from "./check-permission";
import { recordAuditEvent } from "./record-audit-event";
import { authAdminError, runAdminOperation } from "./run-operation";

export const deleteUserInput = z.object({ userId: z.uuid() });

export type DeleteUserResult = ActionResult<{ userId: string; audited: boolean }>;

/**
 * Deletes a user through the Auth admin API (their sessions, identities, profile and role go with them).
 * The deletion cannot share a transaction with the audit row, so the row is written right after it; if
 * that write fails the deletion stands, the event is logged in full and `audited` is false.
 */
export async function deleteUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<DeleteUserResult> {
  return runAdminOperation(async () => {
    const { userId } = deleteUserInput.parse(input);
    assertCan(auth, "users.delete");
    assertNotSelf(auth, userId, "delete");
    await assertAuthorizedInDb(auth, "users.delete");
    const [current] = await withRls(auth.claims, (tx) => tx<{ role: AppRole }[]>`
      select role from public.user_roles where user_id = ${userId}`);

    const deleted = await createAdminClient().auth.admin.deleteUser(userId);
    if (deleted.error) throw authAdminError(deleted.error);

    const event = { action: "user.delete" as const, targetUserId: userId, before: { role: current?.role ?? null } };
    try {
      await withRls(auth.claims, (tx) => recordAuditEvent(tx, auth, event, auditMeta(meta)));
      return { ok: true as const, userId, audited: true };
    } catch (error) {
      console.error("user.delete: the user was deleted but the audit row could not be written", { actorId: auth.userId, ...event }, error);
      return { ok: true as const, userId, audited: false };
    }
  });
}
