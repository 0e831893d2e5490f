import "server-only";
import { isAuthApiError, isAuthRetryableFetchError } from "@supabase/supabase-js";
import { z } from "zod";
import { adminWriteDenial } from "../auth/route";
import { postgresError } from "../db/errors";
import { AppError, toActionResult, type ActionResult } from "../errors";

/** Turns an error of the Auth admin API (supabase-js returns them, it does not throw) into an AppError. */
export function authAdminError(error: unknown): AppError {
  if (isAuthRetryableFetchError(error)) return new AppError({ code: "auth_unavailable", message: "The Auth server is unavailable" });
  if (isAuthApiError(error)) {
    if (error.status === 404) return new AppError({ code: "not_found", message: "No such user" });
    if (error.code === "email_exists" || error.code === "user_already_exists") {
      return new AppError({ code: "conflict", message: "A user with this email already exists" });
    }
    if (error.status === 400 || error.status === 422) return new AppError({ code: "invalid_input", message: error.message });
  }
  return new AppError({ code: "internal", message: "The Auth server refused the request" });
}

/**
 * The refusals of the admin write functions of Postgres (20261206100200_admin_writes.sql) as AppErrors; their
 * messages are written for people and shown as they are. Null for an error that is not one of them.
 */
export function adminDbError(error: unknown): AppError | null {
  const denial = adminWriteDenial(error);
  if (denial) return denial;
  const pg = postgresError(error);
  if (!pg) return null;
  switch (pg.code) {
    case "42501":
      return new AppError({ code: "forbidden", message: "You do not have permission to do this" });
    case "23503":
      return new AppError({ code: "not_found", message: "No such user" });
    case "P0002":
      return new AppError({ code: "not_found", message: pg.message });
    case "ADM01":
    case "ADM03":
    case "22023":
      return new AppError({ code: "invalid_input", message: pg.message });
    case "ADM02":
    case "ADM04":
      return new AppError({ code: "conflict", message: pg.message });
    default:
      return null;
  }
}

/**
 * Runs an admin operation and maps every failure to the typed result: invalid input, a refusal by
 * Postgres (adminDbError), AppErrors as they are; anything else is logged and answered as `internal`.
 */
export async function runAdminOperation<T>(operation: () => Promise<{ ok: true } & T>): Promise<ActionResult<T>> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issue = error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      return toActionResult(new AppError({ code: "invalid_input", message: `${where}${issue?.message ?? "invalid input"}` }));
    }
    const mapped = adminDbError(error);
    if (mapped) return toActionResult(mapped);
    if (!(error instanceof AppError)) console.error(error);
    return toActionResult(error);
  }
}
