import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "../config";
import { postgresError } from "../db/errors";
import { withRls } from "../db/rls";
import { AppError, toHttpStatus } from "../errors";
import { noStore } from "../http/no-store";
import { assertSameOrigin } from "./csrf";
import { authorizeRequest, type AuthContext } from "./guard";
import type { Permission } from "./permissions";
import { clearSessionCookies } from "./session-cookies";
import { authorizeStepUp } from "./step-up";

function errorResponse(request: NextRequest, error: unknown): NextResponse {
  const status = toHttpStatus(error);
  const message = error instanceof AppError ? error.message : "Something went wrong";
  const code = error instanceof AppError ? error.code : "internal";
  const details = error instanceof AppError ? error.details : undefined;
  const response = noStore(NextResponse.json({ ok: false, error: { code, message, ...details } }, { status }));
  if (details?.retryAfter !== undefined) response.headers.set("retry-after", String(details.retryAfter));
  if (status >= 500 && !(error instanceof AppError)) console.error(error);
  // A 401 means the session is dead: its cookies go with it.
  return status === 401 ? clearSessionCookies(request, response) : response;
}

/**
 * Wraps a route handler that needs no session (sign-in, sign-out): the CSRF check for every method but
 * GET/HEAD; failures answer JSON with the status of lib/errors.
 */
export function withSameOrigin(handler: (request: NextRequest) => Promise<NextResponse>) {
  return async (request: NextRequest): Promise<NextResponse> => {
    try {
      if (request.method !== "GET" && request.method !== "HEAD") assertSameOrigin(request.headers, getConfig().appOrigin);
      return await handler(request);
    } catch (error) {
      return errorResponse(request, error);
    }
  };
}

/**
 * Wraps a route handler that needs the signed-in user: the CSRF check, then the guard (and permission).
 * Failures answer JSON 401/403/503; a 401 also clears the dead session's cookies.
 */
export function withAuth(handler: (request: NextRequest, auth: AuthContext) => Promise<NextResponse>, opts: { permission?: Permission } = {}) {
  return withSameOrigin(async (request) => handler(request, await authorizeRequest(opts.permission)));
}

/**
 * Wraps the route handler of a sensitive action: withAuth, then the step-up rule (authorizeStepUp). A
 * session without it gets 403 `step_up_required` with the `requirement` the client acts on.
 */
export function withStepUp(handler: (request: NextRequest, auth: AuthContext) => Promise<NextResponse>, opts: { permission?: Permission } = {}) {
  return withSameOrigin(async (request) => handler(request, await authorizeStepUp(opts.permission)));
}

/**
 * The refusals of private.assert_admin_write() (and of every admin write function, which calls it): AAL01
 * when the actor has no verified factor, AAL02 when this session is aal1. Null for any other error.
 */
export function adminWriteDenial(error: unknown): AppError | null {
  const code = postgresError(error)?.code;
  if (code === "AAL01") {
    return new AppError({ code: "mfa_enrolment_required", message: "Set up two-factor authentication before making changes" });
  }
  if (code === "AAL02") {
    return new AppError({ code: "mfa_required", message: "Enter a code from your authenticator app before making changes" });
  }
  return null;
}

/**
 * The server's check before an admin write, decided by Postgres as the actor: the permission on their current
 * role, a live session, and an AAL2 session (403 `mfa_enrolment_required` or `mfa_required`). Each write's
 * own SQL checks the same again in the transaction of its change.
 */
export async function assertAdminWrite(auth: AuthContext, permission: Permission): Promise<void> {
  try {
    await withRls(auth.claims, (tx) => tx`select private.assert_admin_write(${permission}::public.app_permission)`);
  } catch (error) {
    const denial = adminWriteDenial(error);
    if (denial) throw denial;
    if (postgresError(error)?.code === "42501") throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
    throw error;
  }
}

/**
 * Wraps the route handler of an admin write: the CSRF check, the guard with `permission`, then
 * assertAdminWrite (permission and AAL2 in Postgres), all before the body is read. The route's context
 * (`{ params }`) is passed on.
 */
export function withAdminWrite<C>(
  handler: (request: NextRequest, auth: AuthContext, context: C) => Promise<NextResponse>,
  opts: { permission: Permission },
) {
  return async (request: NextRequest, context: C): Promise<NextResponse> =>
    withSameOrigin(async (req) => {
      const auth = await authorizeRequest(opts.permission);
      await assertAdminWrite(auth, opts.permission);
      return handler(req, auth, context);
    })(request);
}
