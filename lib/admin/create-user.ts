import "server-only";
import type { AuthContext } from "../auth/guard";
import type { AppRole } from "../auth/permissions";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { createAdminClient } from "../supabase/admin";
import { assertCan } from "./check-permission";
import { createUserBody } from "./create-user-input";
import { authAdminError, runAdminOperation } from "./run-operation";

export { createUserBody } from "./create-user-input";

export type CreateUserResult = ActionResult<{ user: { id: string; email: string; name: string; role: AppRole } }>;

/**
 * Creates a user through the Auth admin API as the contract records it (POST /admin/users, email confirmed,
 * the name as user_metadata.full_name). The person then signs in with Google or Apple under that email and
 * lands on this user: the Auth server links a verified provider email to it.
 *
 * Postgres first records the request (private.admin_request_user_creation(): users.create, and roles.assign
 * for a staff role, AAL2, no user with this email yet); the Auth server's insert fires the trigger that gives
 * the role and the name and writes the `user.create` audit row in the insert's own transaction. If the Auth
 * server refuses, the request is withdrawn.
 */
export async function createUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<CreateUserResult> {
  return runAdminOperation(async () => {
    const { email, name, role } = createUserBody.parse(input);
    assertCan(auth, "users.create");
    if (role !== "user") assertCan(auth, "roles.assign");
    const m = auditMeta(meta);
    await withRls(auth.claims, (tx) => tx`
      select private.admin_request_user_creation(${email}, ${name}, ${role}::public.app_role, null, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    const created = await createAdminClient().auth.admin.createUser({ email, email_confirm: true, user_metadata: { full_name: name } });
    if (created.error || !created.data.user) {
      await withRls(auth.claims, (tx) => tx`select private.admin_cancel_user_creation(${email})`).catch((error: unknown) => console.error(error));
      throw authAdminError(created.error);
    }
    return { ok: true as const, user: { id: created.data.user.id, email, name, role } };
  });
}
