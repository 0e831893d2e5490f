import "server-only";
import { isAuthRetryableFetchError } from "@supabase/supabase-js";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { safeNextPath } from "../auth/redirect";
import { isProvider, type Provider } from "../auth/providers";
import { verifyAccessToken } from "../auth/verify-token";
import { withRls } from "../db/rls";
import { createClient } from "../supabase/server";
import { IDENTITIES_PATH, linkErrorFromCallback, type LinkError } from "./identity-input";

export type LinkOutcome = { ok: true; provider: Provider } | { ok: false; provider: Provider; reason: LinkError | "unavailable" };

/** The provider a callback says it is linking (`?link=`), or null for a plain sign-in. */
export function linkingProvider(params: URLSearchParams): Provider | null {
  const value = params.get("link");
  return isProvider(value) ? value : null;
}

/**
 * Completes a link at the app's callback: the Auth server's error, or the code exchange (which starts a new
 * session of the same user). On success it writes the `identity.link` audit row through
 * private.record_my_identity_link, which finds the identity the Auth server added; a return URL that claims
 * a link which did not happen writes nothing.
 */
export async function completeIdentityLink(params: URLSearchParams, provider: Provider, meta: AuditMetaInput = {}): Promise<LinkOutcome> {
  const linkError = linkErrorFromCallback(params);
  if (linkError) return { ok: false, provider, reason: linkError };
  const code = params.get("code");
  if (!code) return { ok: false, provider, reason: "failed" };
  const supabase = await createClient();
  let accessToken: string;
  try {
    const { data, error } = await supabase.auth.exchangeCodeForSession(code);
    if (error) return { ok: false, provider, reason: isAuthRetryableFetchError(error) ? "unavailable" : "failed" };
    accessToken = data.session.access_token;
  } catch {
    return { ok: false, provider, reason: "unavailable" };
  }
  const verified = await verifyAccessToken(accessToken);
  if (!verified.ok) return { ok: false, provider, reason: verified.reason === "unavailable" ? "unavailable" : "failed" };
  const m = auditMeta(meta);
  await withRls(verified.claims, (tx) => tx`
    select private.record_my_identity_link(${provider}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
  return { ok: true, provider };
}

/** Where the callback sends the person after a link: the identities page (through the `next` validator) with the outcome. */
export function linkOutcomePath(next: string | null, outcome: LinkOutcome): string {
  const base = safeNextPath(next, IDENTITIES_PATH);
  const url = new URL(base, "http://next.invalid");
  if (outcome.ok) {
    url.searchParams.set("linked", outcome.provider);
  } else {
    url.searchParams.set("link_error", outcome.reason === "unavailable" ? "failed" : outcome.reason);
    url.searchParams.set("provider", outcome.provider);
  }
  return safeNextPath(`${url.pathname}${url.search}`, IDENTITIES_PATH);
}
