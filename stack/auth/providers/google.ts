import { encodeQuery, firstValue, type QueryValues } from "../redirect.ts";
import type { ProviderUserData } from "./index.ts";

export const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * Google's authorization URL as Supabase Auth builds it (golang.org/x/oauth2 `AuthCodeURL`): the standard
 * parameters, then every extra query parameter of the request set over them, all sorted by key. Extra
 * parameters win, so a `state` or `client_id` in the request replaces Supabase's own.
 */
export function googleAuthorizationUrl(
  endpoint: string,
  opts: { clientId: string; redirectUri: string; scopes: string; state: string; extra: QueryValues },
): string {
  const scopes = ["email", "profile", ...(opts.scopes === "" ? [] : opts.scopes.split(","))];
  const values: QueryValues = new Map([
    ["response_type", ["code"]],
    ["client_id", [opts.clientId]],
    ["redirect_uri", [opts.redirectUri]],
    ["scope", [scopes.join(" ")]],
    ["state", [opts.state]],
  ]);
  for (const key of opts.extra.keys()) values.set(key, [firstValue(opts.extra, key)]);
  return `${endpoint}${endpoint.includes("?") ? "&" : "?"}${encodeQuery(values)}`;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * Google's profile, from an ID token's claims or the userinfo answer (OIDC `sub`/`email_verified` or the
 * legacy v2 `id`/`verified_email`). `iss` is the issuer the profile came from.
 */
export function googleUserData(profile: Record<string, unknown>, issuer: string): ProviderUserData {
  const sub = str(profile.sub) || str(profile.id);
  const verified = profile.email_verified === true || profile.verified_email === true || profile.email_verified === "true";
  const email = str(profile.email);
  const hostedDomain = str(profile.hd);
  return {
    emails: email ? [{ email, verified, primary: true }] : [],
    claims: {
      iss: str(profile.iss) || issuer,
      sub,
      name: str(profile.name),
      picture: str(profile.picture),
      avatar_url: str(profile.picture),
      full_name: str(profile.name),
      provider_id: sub,
      ...(hostedDomain ? { custom_claims: { hd: hostedDomain } } : {}),
    },
  };
}
