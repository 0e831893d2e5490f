import "server-only";
import { getConfig } from "../config";
import { AppError } from "../errors";
import { authServerAnswers } from "../supabase/health";
import { createClient } from "../supabase/server";
import type { SignInRequest } from "./sign-in-form";

/**
 * Starts the OAuth flow on the server: @supabase/ssr stores the PKCE verifier in an HttpOnly cookie and hands
 * back the provider URL to redirect the browser to. The request comes from `parseSignInForm` (`next` and
 * `prompt` already validated); `prompt` reaches Google as a query parameter, which the Auth server forwards.
 */
export async function startOAuthSignIn({ provider, next, prompt }: SignInRequest): Promise<string> {
  // Sign-in must not send a browser to a dead end.
  if (!(await authServerAnswers(2500))) {
    throw new AppError({ code: "auth_unavailable", message: "Sign-in is temporarily unavailable" });
  }
  const config = getConfig();
  const supabase = await createClient();
  const redirectTo = `${config.appOrigin}/auth/callback?next=${encodeURIComponent(next)}`;
  const queryParams = provider === "google" && prompt ? { prompt } : undefined;
  const { data, error } = await supabase.auth.signInWithOAuth({
    provider,
    options: { redirectTo, skipBrowserRedirect: true, ...(queryParams ? { queryParams } : {}) },
  });
  if (error || !data.url) {
    throw new AppError({ code: "internal", message: error?.message ?? "Could not start sign-in" });
  }
  return data.url;
}
