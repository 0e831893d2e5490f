import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { getConfig } from "../config";
import { authServerAnswers } from "../supabase/health";
import { createClient } from "../supabase/server";
import { accountDbError, parseInput } from "./account-errors";
import { IDENTITIES_PATH, linkIdentityInput, PROVIDER_LABELS } from "./identity-input";
import { readIdentities } from "./list-identities";

/**
 * The return URL of a link: the app's own callback, back to the identities page. `link` tells the callback
 * which provider was being linked; it only chooses the page's message (the audit row is written only for an
 * identity the Auth server really added).
 */
export function linkReturnUrl(appOrigin: string, provider: string): string {
  return `${appOrigin}/auth/callback?next=${encodeURIComponent(IDENTITIES_PATH)}&link=${encodeURIComponent(provider)}`;
}

/**
 * Starts linking a provider to the signed-in account through the Auth server's manual linking flow
 * (GET /user/identities/authorize with the session's token; PKCE, whose verifier @supabase/ssr keeps in an
 * HttpOnly cookie). Resolves with the provider URL the browser goes to.
 */
export async function startIdentityLink(auth: AuthContext, raw: unknown): Promise<{ url: string }> {
  const { provider } = parseInput(linkIdentityInput, raw);
  let identities;
  try {
    identities = await withRls(auth.claims, readIdentities);
  } catch (error) {
    throw accountDbError(error);
  }
  if (identities.some((i) => i.provider === provider)) {
    throw new AppError({ code: "invalid_input", message: `${PROVIDER_LABELS[provider]} is already linked to your account` });
  }
  if (!(await authServerAnswers(2500))) {
    throw new AppError({ code: "auth_unavailable", message: "Linking is temporarily unavailable. Please try again later." });
  }
  const supabase = await createClient();
  const { data, error } = await supabase.auth.linkIdentity({
    provider,
    options: { redirectTo: linkReturnUrl(getConfig().appOrigin, provider), skipBrowserRedirect: true },
  });
  if (error || !data.url) {
    throw new AppError({ code: "auth_unavailable", message: "Linking could not be started. Please try again." });
  }
  return { url: data.url };
}
