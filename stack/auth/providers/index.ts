import * as oidc from "openid-client";
import type { App } from "../app.ts";
import { KNOWN_PROVIDERS, type ProviderConfig, type ProviderName } from "../config.ts";
import type { QueryValues } from "../redirect.ts";
import { APPLE_ISSUER, appleAuthorizationUrl, appleUserData, AppleUserFieldError, applyAppleUserField } from "./apple.ts";
import { GOOGLE_ISSUER, googleAuthorizationUrl, googleUserData } from "./google.ts";

export type ProviderEmail = { email: string; verified: boolean; primary: boolean };

/** Supabase Auth's provider claims; empty strings are left out of `identity_data` (Go's `omitempty`). */
export type ProviderClaims = {
  iss?: string;
  sub?: string;
  name?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  full_name?: string;
  avatar_url?: string;
  provider_id?: string;
  custom_claims?: Record<string, unknown>;
};

export type ProviderUserData = { emails: ProviderEmail[]; claims: ProviderClaims };

export type ProviderSignIn = { accessToken: string; refreshToken: string | null; user: ProviderUserData };

/**
 * Why talking to a provider failed, in the stages Supabase Auth distinguishes: the provider cannot be
 * used (`unsupported`), the code exchange failed, the profile could not be read, or Apple's `user`
 * field is not valid JSON (`user_field`, reported with Go's JSON error).
 */
export class ProviderFailure extends Error {
  readonly stage: "unsupported" | "exchange" | "profile" | "user_field";
  constructor(stage: ProviderFailure["stage"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.stage = stage;
  }
}

export type OAuthProvider = {
  name: ProviderName;
  authorizationUrl(opts: { state: string; scopes: string; extra: QueryValues }): string;
  signIn(code: string, appleUserField: string): Promise<ProviderSignIn>;
};

/** The `identity_data` (and user_metadata) Supabase Auth stores for a provider's claims, keys sorted. */
export function identityData(claims: ProviderClaims): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (value === undefined || value === "") continue;
    if (key === "custom_claims" && Object.keys(value as object).length === 0) continue;
    out[key] = value;
  }
  out.email_verified = claims.email_verified === true;
  out.phone_verified = false;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Providers Supabase Auth knows but this server cannot talk to ("provider is not enabled").
const NON_OAUTH = new Set(["anonymous_users", "email", "phone"]);

/**
 * The configuration of a provider by name (case-insensitive), or the reason it cannot be used, worded
 * like Supabase Auth's `Unsupported provider: …` details.
 */
export function providerConfig(app: App, rawName: string): ProviderConfig {
  const name = rawName.toLowerCase();
  const known = (KNOWN_PROVIDERS as readonly string[]).includes(name) && !NON_OAUTH.has(name);
  if (!known) throw new ProviderFailure("unsupported", `Provider ${name} could not be found`);
  const config = app.config.providers[name as ProviderName];
  if (!config) throw new ProviderFailure("unsupported", "provider is not enabled");
  if (!config.clientId) throw new ProviderFailure("unsupported", "missing OAuth client ID");
  if (!config.secret) throw new ProviderFailure("unsupported", "missing OAuth secret");
  return config;
}

const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const discoveries = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

function issuerOf(config: ProviderConfig): string {
  return config.url || (config.name === "google" ? GOOGLE_ISSUER : APPLE_ISSUER);
}

/** Discovery from the provider's issuer, cached; a failed discovery is retried on the next request. */
function discover(config: ProviderConfig): Promise<oidc.Configuration> {
  const issuer = issuerOf(config);
  const key = JSON.stringify([config.name, issuer, config.clientId, config.secret]);
  const cached = discoveries.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const url = new URL(issuer);
  const pending = oidc
    .discovery(url, config.clientId, undefined, oidc.ClientSecretPost(config.secret), {
      execute: url.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    })
    .then((discovered) => {
      // ID tokens in token responses are verified against the provider's JWKS, as Go's oidc verifier does.
      oidc.enableNonRepudiationChecks(discovered);
      return discovered;
    });
  discoveries.set(key, { at: Date.now(), config: pending });
  pending.catch(() => {
    if (discoveries.get(key)?.config === pending) discoveries.delete(key);
  });
  return pending;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

// openid-client codes for ID token problems: the token was obtained, reading the profile from it failed.
const ID_TOKEN_ERROR = /^OAUTH_(JWT_|JWS_|KEY_SELECTION|JSON_ATTRIBUTE_COMPARISON)/;

async function exchange(discovered: oidc.Configuration, redirectUri: string, code: string) {
  try {
    return await oidc.genericGrantRequest(discovered, "authorization_code", { code, redirect_uri: redirectUri });
  } catch (error) {
    const errorCode = (error as { code?: unknown }).code;
    const stage = typeof errorCode === "string" && ID_TOKEN_ERROR.test(errorCode) ? "profile" : "exchange";
    throw new ProviderFailure(stage, describe(error), { cause: error });
  }
}

/**
 * The provider named (case-insensitively) by a request, discovered from its issuer: the `url` of its
 * provider settings, else the real Google or Apple. Throws a `ProviderFailure("unsupported")`.
 */
export async function loadProvider(app: App, rawName: string): Promise<OAuthProvider> {
  const config = providerConfig(app, rawName);
  let discovered: oidc.Configuration;
  try {
    discovered = await discover(config);
  } catch (error) {
    throw new ProviderFailure("unsupported", describe(error), { cause: error });
  }
  const metadata = discovered.serverMetadata();
  const endpoint = metadata.authorization_endpoint ?? "";
  const redirectUri = `${app.config.externalUrl}/callback`;
  const issuer = metadata.issuer;

  if (config.name === "google") {
    return {
      name: "google",
      authorizationUrl: ({ state, scopes, extra }) =>
        googleAuthorizationUrl(endpoint, { clientId: config.clientId, redirectUri, scopes, state, extra }),
      async signIn(code) {
        const tokens = await exchange(discovered, redirectUri, code);
        const idToken = tokens.claims();
        let profile: Record<string, unknown>;
        if (idToken) {
          profile = idToken;
        } else {
          try {
            profile = await oidc.fetchUserInfo(discovered, tokens.access_token, oidc.skipSubjectCheck);
          } catch (error) {
            throw new ProviderFailure("profile", describe(error), { cause: error });
          }
        }
        return {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token ?? null,
          user: googleUserData(profile, issuer),
        };
      },
    };
  }

  return {
    name: "apple",
    authorizationUrl: ({ state }) => appleAuthorizationUrl(endpoint, { clientId: config.clientId, redirectUri, state }),
    async signIn(code, appleUserField) {
      const tokens = await exchange(discovered, redirectUri, code);
      const idToken = tokens.claims();
      // Without an ID token Apple gives no profile at all (and so no email).
      let user: ProviderUserData =
        tokens.access_token && idToken ? appleUserData(idToken, issuer) : { emails: [], claims: {} };
      if (appleUserField !== "") {
        try {
          user = applyAppleUserField(user, appleUserField);
        } catch (error) {
          if (error instanceof AppleUserFieldError) throw new ProviderFailure("user_field", error.message);
          throw error;
        }
      }
      return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null, user };
    },
  };
}
