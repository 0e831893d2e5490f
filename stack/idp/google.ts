import type { Identity } from "./identities.ts";
import type { EmulatorSpec } from "./provider.ts";

export const GOOGLE_DEFAULT_PICTURE = "https://example.com/a.png";

const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ["sub"],
  email: ["email", "email_verified"],
  profile: ["name", "given_name", "family_name", "picture"],
};

/** Google's claims, in Google's shapes (`email_verified` is a boolean). */
export function googleClaims(sub: string, identity: Identity): Record<string, unknown> {
  return {
    sub,
    name: identity.name,
    given_name: identity.givenName,
    family_name: identity.familyName,
    picture: identity.picture ?? GOOGLE_DEFAULT_PICTURE,
    email: identity.email,
    email_verified: true,
  };
}

const oneOf = (name: string, values: readonly string[]) => (value: string) =>
  values.includes(value) ? null : `Invalid parameter value for ${name}: ${value} (expected ${values.map((v) => `"${v}"`).join(" or ")})`;

/**
 * Google's authorization endpoint as its OpenID Connect documentation describes it: `prompt` is `none`
 * (alone), or `consent` and/or `select_account` space-separated (Google does not honour `login`);
 * `access_type` is `online` or `offline` (offline adds a refresh token; Google gives one only at the first
 * consent unless prompt=consent, the emulator every time); `include_granted_scopes` is `true` or `false`;
 * `hd`, `hl` and other hints are accepted and change nothing here.
 */
export const googleSpec: EmulatorSpec = {
  kind: "google",
  title: "Sign in with Google (emulator)",
  scopeClaims: SCOPE_CLAIMS,
  accountClaims: googleClaims,
  userinfo: true,
  refreshTokens: false,
  requireAuthTime: false,
  implicitOpenid: true,
  prompts: ["consent", "select_account"],
  extraParams: {
    access_type: oneOf("access_type", ["online", "offline"]),
    include_granted_scopes: oneOf("include_granted_scopes", ["true", "false"]),
  },
  offlineAccess: true,
  cancel: { error: "access_denied", error_description: "The user denied access" },
};

/**
 * Google's userinfo answer for an access token's scopes. Unlike oidc-provider's own userinfo endpoint it
 * does not require `openid` in the token's scope.
 */
export function googleUserinfo(sub: string, identity: Identity, scopes: ReadonlySet<string>): Record<string, unknown> {
  const all = googleClaims(sub, identity);
  const released = new Set(["sub"]);
  for (const scope of scopes) for (const claim of SCOPE_CLAIMS[scope] ?? []) released.add(claim);
  return Object.fromEntries(Object.entries(all).filter(([claim]) => released.has(claim)));
}
