import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { createAdminClient } from "../supabase/admin";
import { assertCan } from "./check-permission";
import { removeFactorInput } from "./remove-factor-input";
import { authAdminError, runAdminOperation } from "./run-operation";

export { removeFactorBody, removeFactorInput } from "./remove-factor-input";

export type RemoveFactorResult = ActionResult<{ userId: string; factorId: string }>;

/**
 * Removes one of a user's MFA factors (a lost phone) through the Auth admin API
 * (DELETE /admin/users/{id}/factors/{factorId}), which also drops the sessions the factor verified to aal1.
 * Postgres first records the request (private.admin_request_factor_removal(): factors.delete, AAL2, the
 * factor must be this user's); the Auth server's delete then fires the trigger that writes the
 * `factor.delete` audit row in the deletion's own transaction. If the Auth server refuses, the request is
 * withdrawn.
 */
export async function removeFactor(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<RemoveFactorResult> {
  return runAdminOperation(async () => {
    const { userId, factorId, reason } = removeFactorInput.parse(input);
    assertCan(auth, "factors.delete");
    const m = auditMeta(meta);
    await withRls(auth.claims, (tx) => tx`
      select private.admin_request_factor_removal(${userId}::uuid, ${factorId}::uuid, ${reason ?? null}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    const removed = await createAdminClient().auth.admin.mfa.deleteFactor({ userId, id: factorId });
    if (removed.error) {
      await withRls(auth.claims, (tx) => tx`select private.admin_cancel_factor_removal(${factorId}::uuid)`).catch((error: unknown) => console.error(error));
      throw authAdminError(removed.error);
    }
    return { ok: true as const, userId, factorId };
  });
}
