import "server-only";
import { isAuthApiError, isAuthRetryableFetchError } from "@supabase/supabase-js";
import { z } from "zod";
import { postgresError } from "../db/errors";
import { AppError, toActionResult, type ActionResult } from "../errors";

/** Turns an error of the Auth admin API (supabase-js returns them, it does not throw) into an AppError. */
export function authAdminError(error: unknown): AppError {
  if (isAuthRetryableFetchError(error)) return new AppError({ code: "auth_unavailable", message: "The Auth server is unavailable" });
  if (isAuthApiError(error)) {
    if (error.status === 404) return new AppError({ code: "not_found", message: "No such user" });
    if (error.status === 400 || error.status === 422) return new AppError({ code: "invalid_input", message: error.message });
  }
  return new AppError({ code: "internal", message: "The Auth server refused the request" });
}

/**
 * Runs an admin operation and maps every failure to the typed result: invalid input, a refusal by
 * Postgres (RLS or a permission check: 42501), a missing user (a foreign key: 23503), AppErrors as they
 * are; anything else is logged and answered as `internal`.
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
    const pg = postgresError(error);
    if (pg) {
      if (pg.code === "42501") return toActionResult(new AppError({ code: "forbidden", message: "You do not have permission to do this" }));
      if (pg.code === "23503") return toActionResult(new AppError({ code: "not_found", message: "No such user" }));
    }
    if (!(error instanceof AppError)) console.error(error);
    return toActionResult(error);
  }
}
