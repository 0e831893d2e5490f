import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "../config";
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
