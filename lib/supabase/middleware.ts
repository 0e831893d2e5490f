import { isAuthRetryableFetchError } from "@supabase/supabase-js";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "../config";
import { createSessionClient } from "./cookie-options";
import { authServerAnswers } from "./health";
import { readStoredSession } from "./stored-session";

/** How early @supabase/ssr refreshes before expiry, with some slack. */
const REFRESH_MARGIN_MS = 15_000;

export type RefreshOutcome = { response: NextResponse; refreshUnavailable: boolean };

/**
 * The @supabase/ssr refresh step. `getClaims()` verifies the access token locally against the cached JWKS
 * (ES256) and only calls the Auth server when the token has expired and must be refreshed. Refreshed cookies
 * are copied onto the request (so this render sees them) and onto the response (so the browser keeps them),
 * with the no-store cache headers @supabase/ssr asks for.
 *
 * Trap: nothing may run between createSessionClient and getClaims — a response created in between would
 * lose the refreshed cookies and sign the user out at random.
 *
 * `refreshUnavailable` is set when the token needed a refresh (or a key not yet cached) and the Auth server
 * could not be reached: the cookies are left untouched (the user stays signed in) and the caller answers 503.
 */
export async function updateSession(request: NextRequest, requestHeaders: Headers): Promise<RefreshOutcome> {
  const config = getConfig();
  // supabase-js retries a refresh that cannot reach the Auth server for ~30 s before giving up; when a refresh
  // is due, ask the Auth server first and answer 503 at once if it is down (cookies untouched).
  const { expiresAt } = readStoredSession(request.headers.get("cookie"));
  const refreshDue = expiresAt !== null && expiresAt * 1000 <= Date.now() + REFRESH_MARGIN_MS;
  if (!refreshDue) {
    // Nothing to refresh (no session, or a token with minutes left): the page's guard verifies the token
    // strictly, so verifying it here as well would only double the hot path's cost.
    return { response: NextResponse.next({ request: { headers: requestHeaders } }), refreshUnavailable: false };
  }
  if (!(await authServerAnswers(1500))) {
    return { response: NextResponse.next({ request: { headers: requestHeaders } }), refreshUnavailable: true };
  }
  let response = NextResponse.next({ request: { headers: requestHeaders } });
  const supabase = createSessionClient(config, {
    getAll: () => request.cookies.getAll(),
    setAll: (toSet, headers) => {
      for (const { name, value } of toSet) request.cookies.set(name, value);
      requestHeaders.set("cookie", request.cookies.toString());
      response = NextResponse.next({ request: { headers: requestHeaders } });
      for (const { name, value, options } of toSet) response.cookies.set(name, value, options);
      for (const [key, value] of Object.entries(headers ?? {})) response.headers.set(key, value);
    },
  }, request.headers);
  let error: unknown = null;
  try {
    ({ error } = await supabase.auth.getClaims());
  } catch (thrown) {
    // A crafted token (e.g. `alg: none` with a kid) makes getClaims throw instead of returning an error;
    // that must not be a 500 on every page for that browser. The server-side guard rejects the token.
    error = thrown;
  }
  // A retryable fetch error means the session could not be used without the Auth server (an expired token
  // whose refresh failed, or a key not cached yet). Trap: do not ask getSession() whether the token expired —
  // after a failed refresh it returns no session at all, and the page's guard would then sign the user out.
  const refreshUnavailable = error !== null && isAuthRetryableFetchError(error);
  return { response, refreshUnavailable };
}
