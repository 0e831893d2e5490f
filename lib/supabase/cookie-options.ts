import type { CookieOptionsWithName } from "@supabase/ssr";
import type { AppConfig } from "../config";

/**
 * Session cookies are never readable by page JavaScript (HttpOnly), sent on top-level navigations only
 * (SameSite=Lax) and Secure outside localhost. Only the tokens are stored (`tokens-only`): the user object
 * would overflow one cookie for Google and Apple users; identity comes from verified claims instead.
 */
export function sessionCookieOptions(config: AppConfig): CookieOptionsWithName {
  return { path: "/", sameSite: "lax", httpOnly: true, secure: config.secureCookies };
}
