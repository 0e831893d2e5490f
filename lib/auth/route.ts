import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "../config";
import { AppError, toHttpStatus } from "../errors";
import { assertSameOrigin } from "./csrf";
import { authorizeRequest, type AuthContext } from "./guard";
import type { Permission } from "./permissions";
import { clearSessionCookies } from "./session-cookies";

type Handler = (request: NextRequest, auth: AuthContext) => Promise<NextResponse>;

/**
 * Wraps a route handler: CSRF check for every method but GET/HEAD, then the guard (and permission).
 * Failures answer JSON 401/403/503; a 401 also clears the dead session's cookies.
 */
export function withAuth(handler: Handler, opts: { permission?: Permission } = {}) {
  return async (request: NextRequest): Promise<NextResponse> => {
    try {
      if (request.method !== "GET" && request.method !== "HEAD") assertSameOrigin(request.headers, getConfig().appOrigin);
      const auth = await authorizeRequest(opts.permission);
      return await handler(request, auth);
    } catch (error) {
      const status = toHttpStatus(error);
      const message = error instanceof AppError ? error.message : "Something went wrong";
      const code = error instanceof AppError ? error.code : "internal";
      const response = NextResponse.json({ ok: false, error: { code, message } }, { status });
      response.headers.set("cache-control", "private, no-store");
      if (status >= 500 && !(error instanceof AppError)) console.error(error);
      return status === 401 ? clearSessionCookies(request, response) : response;
    }
  };
}
