import { z } from "zod";
import { stepUpDenial } from "../auth/step-up-errors";
import { postgresError } from "../db/errors";
import { AppError } from "../errors";

/** Parses an operation's input; a failure is an `invalid_input` AppError naming the first problem. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new AppError({ code: "invalid_input", message: `${where}${issue?.message ?? "invalid input"}` });
}

/**
 * The errors the account functions of Postgres raise, as AppErrors. 42501 means the caller's own session is
 * no longer active (ended or revoked since the guard ran, or the user was banned): the route answers 401
 * and clears the cookies. SU001 is private.assert_step_up()'s refusal of a sensitive action: 403
 * `step_up_required`. ADM02: the last admin may not delete their own account (409). Anything else is returned
 * as it is.
 */
export function accountDbError(error: unknown): unknown {
  const stepUp = stepUpDenial(error);
  if (stepUp) return stepUp;
  const pg = postgresError(error);
  if (pg?.code === "42501") return new AppError({ code: "unauthenticated", message: "Sign in to continue" });
  if (pg?.code === "22023" && pg.message === "current_session") return currentSessionError();
  if (pg?.code === "ADM02") {
    return new AppError({ code: "conflict", message: "You are the last admin. Give another account the admin role before deleting yours." });
  }
  return error;
}

export function currentSessionError(): AppError {
  return new AppError({ code: "invalid_input", message: "This is the session you are using: sign out to end it" });
}
