import "server-only";
import { getConfig } from "../config";
import { AppError } from "../errors";
import { authServerAnswers } from "../supabase/health";
import { createClient } from "../supabase/server";
import type { Provider } from "./providers";

/**
 * Starts the OAuth flow on the server: @supabase/ssr stores the PKCE verifier in an HttpOnly cookie and hands
 * back the provider URL to redirect the browser to. `next` must already be validated.
 */
export async function startOAuthSignIn(provider: Provider, next: string): Promise<string> {
  // Sign-in must not send a browser to a dead end.
  if (!(await authServerAnswers(2500))) {
    throw new AppError({ code: "auth_unavailable", message: "Sign-in is temporarily unavailable" });
  }
  const config = getConfig();
  const supabase = await createClient();
  const redirectTo = `${config.appOrigin}/auth/callback?next=${encodeURIComponent(next)}`;
  const { data, error } = await supabase.auth.signInWithOAuth({
    provider,
    options: { redirectTo, skipBrowserRedirect: true },
  });
  if (error || !data.url) {
    throw new AppError({ code: "internal", message: error?.message ?? "Could not start sign-in" });
  }
  return data.url;
}
