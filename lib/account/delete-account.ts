import "server-only";
import { isAuthApiError, isAuthRetryableFetchError } from "@supabase/supabase-js";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { createAdminClient } from "../supabase/admin";
import { accountDbError, parseInput } from "./account-errors";
import { deleteAccountInput } from "./delete-account-input";

export { DELETE_CONFIRMATION, deleteAccountInput, type DeleteAccountInput } from "./delete-account-input";

export type DeleteAccountResult = { deleted: true };

/**
 * Deletes the caller's own account, for good. The typed confirmation first (nothing is touched when it is
 * wrong); then Postgres checks the session and the step-up rule and records the request
 * (private.request_account_deletion); then the Auth admin API deletes the user (DELETE /admin/users/{id}),
 * which cascades to their sessions, identities, factors, profile and role. The `account.delete` audit row,
 * without personal data, is written by Postgres in the transaction of that deletion
 * (supabase/migrations/20261205300100_account_deletion.sql). The caller's cookies are for the route to clear.
 *
 * The admin client is used here only for the caller's own id, after both checks: the one place outside
 * lib/admin/ that needs it.
 */
export async function deleteAccount(auth: AuthContext, raw: unknown, meta: AuditMetaInput = {}): Promise<DeleteAccountResult> {
  parseInput(deleteAccountInput, raw);
  const m = auditMeta(meta);
  try {
    await withRls(auth.claims, (tx) => tx`select private.request_account_deletion(${m.requestId})`);
  } catch (error) {
    throw accountDbError(error);
  }
  const { error } = await createAdminClient().auth.admin.deleteUser(auth.userId);
  if (error) {
    if (isAuthRetryableFetchError(error)) {
      throw new AppError({ code: "auth_unavailable", message: "The account could not be deleted right now. Please try again." });
    }
    // Gone already (a second tab, or staff): for this session it is the same as signed out.
    if (isAuthApiError(error) && error.status === 404) throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
    console.error("account.delete: the Auth server refused the deletion", { userId: auth.userId }, error);
    throw new AppError({ code: "internal", message: "The account could not be deleted. Please try again." });
  }
  return { deleted: true };
}
