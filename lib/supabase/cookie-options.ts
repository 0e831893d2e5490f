import { isIP } from "node:net";
import { createServerClient, type CookieMethodsServer, type CookieOptionsWithName } from "@supabase/ssr";
import type { AppConfig } from "../config";

/**
 * Session cookies are never readable by page JavaScript (HttpOnly), sent on top-level navigations only
 * (SameSite=Lax) and Secure outside localhost. Only the tokens are stored (`tokens-only`): the user object
 * would overflow one cookie for Google and Apple users; identity comes from verified claims instead.
 */
function sessionCookieOptions(config: AppConfig): CookieOptionsWithName {
  return { path: "/", sameSite: "lax", httpOnly: true, secure: config.secureCookies };
}

/**
 * The one way the server builds a @supabase/ssr client (the middleware's refresh, and route handlers and
 * Server Components through ./server.ts): these cookie options and encoding, PKCE, and no timers or URL
 * parsing — each request makes its own client and the middleware decides when to refresh.
 */
export function createSessionClient(
  config: AppConfig,
  cookies: Pick<CookieMethodsServer, "getAll" | "setAll">,
  browser?: Headers,
) {
  return createServerClient(config.supabaseUrl, config.supabaseKey, {
    cookieOptions: sessionCookieOptions(config),
    cookies: { encode: "tokens-only", ...cookies },
    auth: { flowType: "pkce", autoRefreshToken: false, detectSessionInUrl: false },
    ...(browser ? { global: { headers: browserHeaders(browser) } } : {}),
  });
}

/**
 * The browser's User-Agent and address, for the Auth server calls the app makes on its behalf (the code
 * exchange, the refresh): the Auth server records them on the session, and the devices list shows them.
 * Without them every session would show the app server. Only the first X-Forwarded-For entry (the client, as
 * the proxy in front of the app saw it) is passed on.
 */
export function browserHeaders(request: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const userAgent = request.get("user-agent");
  if (userAgent) out["user-agent"] = userAgent.slice(0, 512);
  const client = request.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (client && isIP(client) !== 0) out["x-forwarded-for"] = client;
  return out;
}
