import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { createAdminClient } from "../supabase/admin";
import { assertCan } from "./check-permission";
import { deleteUserInput } from "./delete-user-input";
import { authAdminError, runAdminOperation } from "./run-operation";

export { deleteUserBody, deleteUserInput } from "./delete-user-input";

export type DeleteUserResult = ActionResult<{ userId: string }>;

/**
 * Deletes a user through the Auth admin API (their sessions, identities, factors, profile and role go with
 * them; the audit trail stays). Postgres first records the request
 * (private.admin_request_user_deletion(): users.delete, AAL2, not the actor's own account, the typed email
 * must be the user's, never the last admin); the Auth server's delete then fires the trigger that checks the
 * last admin again and writes the `user.delete` audit row in the deletion's own transaction. If the Auth
 * server refuses, the request is withdrawn.
 */
export async function deleteUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<DeleteUserResult> {
  return runAdminOperation(async () => {
    const { userId, confirmEmail, reason } = deleteUserInput.parse(input);
    assertCan(auth, "users.delete");
    const m = auditMeta(meta);
    await withRls(auth.claims, (tx) => tx`
      select private.admin_request_user_deletion(${userId}::uuid, ${confirmEmail}, ${reason ?? null}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    const deleted = await createAdminClient().auth.admin.deleteUser(userId);
    if (deleted.error) {
      await withRls(auth.claims, (tx) => tx`select private.admin_cancel_user_deletion(${userId}::uuid)`).catch((error: unknown) => console.error(error));
      throw authAdminError(deleted.error);
    }
    return { ok: true as const, userId };
  });
}
