import "server-only";
import { postgresError } from "../db/errors";
import { withRls, type Tx } from "../db/rls";
import { AppError } from "../errors";
import { authorizeRequest, type AuthContext } from "./guard";
import type { Permission } from "./permissions";
import { stepUpDenial } from "./step-up-errors";
import { isStepUpRequirement, type StepUpState } from "./step-up-requirement";

export { STEP_UP_SQLSTATE, stepUpDenial, stepUpRequired } from "./step-up-errors";
export type { StepUpRequirement, StepUpState } from "./step-up-requirement";

/** The caller's step-up state in their RLS-scoped transaction; null when the session is no longer active. */
export async function readStepUp(tx: Tx): Promise<StepUpState | null> {
  const [row] = await tx<{ required: string; satisfied: boolean; valid_until: Date | null }[]>`
    select required, satisfied, valid_until from private.my_step_up()`;
  if (!row || !isStepUpRequirement(row.required)) return null;
  return { required: row.required, satisfied: row.satisfied, validUntil: row.valid_until?.toISOString() ?? null };
}

/**
 * The step-up rule for a user the guard has already let through, decided by Postgres
 * (private.assert_step_up(), as the user through RLS). Throws the `step_up_required` AppError (403, with the
 * requirement) when the session does not satisfy it, `unauthenticated` when the session ended meanwhile.
 */
export async function assertStepUp(auth: AuthContext): Promise<void> {
  try {
    await withRls(auth.claims, (tx) => tx`select private.assert_step_up()`);
  } catch (error) {
    const denial = stepUpDenial(error);
    if (denial) throw denial;
    // 42501: the session ended or the user was banned since the guard ran.
    if (postgresError(error)?.code === "42501") throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
    throw error;
  }
}

/**
 * For the route handlers and server actions of sensitive actions (remove a factor, unlink an identity, end
 * all other sessions, export, delete the account): authorizeRequest() — the one guard — then assertStepUp().
 *
 * This is the server's check; each action's SQL calls private.assert_step_up() again in the transaction of
 * its change, so neither check is the only wall.
 */
export async function authorizeStepUp(permission?: Permission): Promise<AuthContext> {
  const auth = await authorizeRequest(permission);
  await assertStepUp(auth);
  return auth;
}
