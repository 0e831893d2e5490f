import type { Identity } from "./identities.ts";
import type { EmulatorSpec } from "./provider.ts";
import type { StateStore } from "./state.ts";

const PRIVATE_RELAY_DOMAIN = "@privaterelay.appleid.com";

const APPLE_AUTHORIZE_PARAMS: ReadonlySet<string> = new Set([
  "client_id",
  "redirect_uri",
  "response_type",
  "response_mode",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
]);

/** Apple's ID token claims. The name is never among them: Apple shares it once, in the `user` form field. */
export function appleClaims(sub: string, identity: Identity): Record<string, unknown> {
  return {
    sub,
    email: identity.email,
    email_verified: true,
    is_private_email: identity.email.endsWith(PRIVATE_RELAY_DOMAIN),
    nonce_supported: true,
  };
}

/** The JSON Apple posts as `user`: `{"name":{"firstName":…,"lastName":…},"email":…}`. */
export function appleUserField(identity: Identity, scopes: ReadonlySet<string>): string | undefined {
  const user: { name?: { firstName: string; lastName: string }; email?: string } = {};
  if (scopes.has("name")) user.name = { firstName: identity.givenName, lastName: identity.familyName };
  if (scopes.has("email")) user.email = identity.email;
  return user.name || user.email ? JSON.stringify(user) : undefined;
}

export function appleSpec(state: StateStore): EmulatorSpec {
  return {
    kind: "apple",
    title: "Sign in with Apple (emulator)",
    scopeClaims: {
      openid: ["sub", "nonce_supported"],
      email: ["email", "email_verified", "is_private_email"],
      name: [],
    },
    accountClaims: appleClaims,
    userinfo: false,
    refreshTokens: false,
    requireAuthTime: true,
    implicitOpenid: true,
    // Apple's authorization endpoint reads its documented parameters (and PKCE's); `prompt`, `max_age`,
    // Google's `access_type`, `hd` and the like are ignored, not refused.
    prompts: [],
    extraParams: {},
    readsOnly: APPLE_AUTHORIZE_PARAMS,
    offlineAccess: false,
    cancel: { error: "user_cancelled_authorize" },
    formPostFields(ctx, payload, accounts) {
      if (payload.code === undefined) return payload;
      const sub = ctx.oidc.account?.accountId ?? ctx.oidc.session.accountId;
      const identity = sub === undefined ? undefined : accounts.get(sub);
      if (sub === undefined || identity === undefined) return payload;
      if (!state.claimFirstAppleAuthorization(ctx.oidc.client.clientId, sub)) return payload;
      const user = appleUserField(identity, new Set((ctx.oidc.params.scope ?? "").split(" ")));
      return user === undefined ? payload : { ...payload, user };
    },
  };
}
