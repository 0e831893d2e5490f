import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { ROLES, type AppRole } from "../auth/permissions";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan, assertNotSelf } from "./check-permission";
import { recordAuditEvent } from "./record-audit-event";
import { runAdminOperation } from "./run-operation";

export const setRoleInput = z.object({ userId: z.uuid(), role: z.enum(ROLES) });

export type SetRoleResult = ActionResult<{ userId: string; before: AppRole | null; after: AppRole; changed: boolean }>;

/**
 * Gives a user a role, effective on their next request (private.authorize() reads the table; the token's
 * user_role claim follows at its next refresh). Runs as the acting admin through RLS, which requires
 * roles.assign on their current role; the change and its audit row share one transaction. Admins cannot
 * change their own role, so the last admin cannot demote themselves by accident.
 */
export async function setRole(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<SetRoleResult> {
  return runAdminOperation(async () => {
    const { userId, role } = setRoleInput.parse(input);
    assertCan(auth, "roles.assign");
    assertNotSelf(auth, userId, "change the role of");
    const before = await withRls(auth.claims, async (tx) => {
      const [current] = await tx<{ role: AppRole }[]>`
        select role from public.user_roles where user_id = ${userId} for update`;
      const previous = current?.role ?? null;
      if (previous === role) return previous;
      await tx`
        insert into public.user_roles (user_id, role) values (${userId}, ${role})
        on conflict (user_id) do update set role = excluded.role`;
      await recordAuditEvent(tx, auth, { action: "role.assign", targetUserId: userId, before: { role: previous }, after: { role } }, auditMeta(meta));
      return previous;
    });
    return { ok: true as const, userId, before, after: role, changed: before !== role };
  });
}
