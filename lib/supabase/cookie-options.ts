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
export function createSessionClient(config: AppConfig, cookies: Pick<CookieMethodsServer, "getAll" | "setAll">) {
  return createServerClient(config.supabaseUrl, config.supabaseKey, {
    cookieOptions: sessionCookieOptions(config),
    cookies: { encode: "tokens-only", ...cookies },
    auth: { flowType: "pkce", autoRefreshToken: false, detectSessionInUrl: false },
  });
}
