import "server-only";
import type { AuthContext } from "../auth/guard";
import type { AppRole } from "../auth/permissions";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan } from "./check-permission";
import { runAdminOperation } from "./run-operation";
import { setRoleInput } from "./set-role-input";

export { setRoleBody, setRoleInput } from "./set-role-input";

export type SetRoleResult = ActionResult<{ userId: string; before: AppRole | null; after: AppRole | null; changed: boolean }>;

/**
 * Assigns a role, or removes the role row (`role: null`), effective on the user's next request
 * (private.authorize() reads the table; the token's user_role claim follows at its next refresh).
 * private.admin_set_role(): roles.assign, AAL2, not the actor's own role, never the last admin, and the
 * `role.assign` / `role.remove` audit row in the same transaction.
 */
export async function setRole(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<SetRoleResult> {
  return runAdminOperation(async () => {
    const { userId, role, reason } = setRoleInput.parse(input);
    assertCan(auth, "roles.assign");
    const m = auditMeta(meta);
    const [row] = await withRls(auth.claims, (tx) => tx<{ previous_role: AppRole | null; new_role: AppRole | null; changed: boolean }[]>`
      select previous_role::text as previous_role, new_role::text as new_role, changed
      from private.admin_set_role(${userId}::uuid, ${role}::public.app_role, ${reason ?? null}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    return { ok: true as const, userId, before: row?.previous_role ?? null, after: row?.new_role ?? null, changed: row?.changed ?? false };
  });
}
