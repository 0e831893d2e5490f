import "server-only";
import { isAuthApiError, isAuthRetryableFetchError, type UserIdentity } from "@supabase/supabase-js";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { postgresError } from "../db/errors";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { createClient } from "../supabase/server";
import { accountDbError, parseInput } from "./account-errors";
import { unlinkIdentityInput } from "./identity-input";

export function lastIdentityError(): AppError {
  return new AppError({
    code: "invalid_input",
    message: "This is the only way you can sign in to your account, so it cannot be unlinked. Link another provider first.",
  });
}

function identityNotFound(): AppError {
  return new AppError({ code: "not_found", message: "That identity is not linked to your account" });
}

/** The refusals of private.check_my_identity_unlink, as AppErrors; the rest as accountDbError maps them. */
function checkError(error: unknown): unknown {
  const pg = postgresError(error);
  if (pg?.code === "P0002") return identityNotFound();
  if (pg?.code === "22023" && pg.message === "last_identity") return lastIdentityError();
  return accountDbError(error);
}

/**
 * Unlinks one of the caller's identities. Postgres checks first (step-up, the identity is theirs, not the
 * last one); then the Auth server unlinks it (DELETE /user/identities/{id}, which refuses the last identity
 * itself too: mapped to the same message); then the `identity.unlink` audit row is written.
 */
export async function unlinkIdentity(auth: AuthContext, raw: unknown, meta: AuditMetaInput = {}): Promise<{ identityId: string; provider: string }> {
  const { identityId } = parseInput(unlinkIdentityInput, raw);
  let provider: string;
  try {
    const [row] = await withRls(auth.claims, (tx) => tx<{ provider: string }[]>`select private.check_my_identity_unlink(${identityId}::uuid) as provider`);
    provider = row?.provider ?? "";
  } catch (error) {
    throw checkError(error);
  }
  const supabase = await createClient();
  // supabase-js sends only identity_id; the rest of the type is not read.
  const identity = { identity_id: identityId, id: "", user_id: auth.userId, provider } as UserIdentity;
  let failure: unknown = null;
  try {
    const { error } = await supabase.auth.unlinkIdentity(identity);
    failure = error;
  } catch (error) {
    failure = error;
  }
  if (failure) {
    if (isAuthApiError(failure) && failure.code === "single_identity_not_deletable") throw lastIdentityError();
    if (isAuthApiError(failure) && (failure.code === "identity_not_found" || failure.code === "validation_failed")) throw identityNotFound();
    if (isAuthRetryableFetchError(failure)) throw new AppError({ code: "auth_unavailable", message: "The sign-in service is unavailable. Please try again." });
    throw new AppError({ code: "auth_unavailable", message: "The identity could not be unlinked. Please try again." });
  }
  const m = auditMeta(meta);
  try {
    await withRls(auth.claims, (tx) => tx`
      select private.record_my_identity_unlink(${identityId}::uuid, ${provider}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
  } catch (error) {
    throw accountDbError(error);
  }
  return { identityId, provider };
}
