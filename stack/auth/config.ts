import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";

export type ProviderName = "google" | "apple";

/** Every provider Supabase Auth knows; `GET /settings` lists each, enabled or not. */
export const KNOWN_PROVIDERS = [
  "anonymous_users", "apple", "azure", "bitbucket", "discord", "facebook", "snapchat", "figma", "fly", "github",
  "gitlab", "google", "keycloak", "kakao", "linkedin", "linkedin_oidc", "notion", "spotify", "slack",
  "slack_oidc", "workos", "twitch", "twitter", "email", "phone", "zoom",
] as const;

export type ProviderConfig = {
  name: ProviderName;
  clientId: string;
  secret: string;
  /** Issuer URL; empty means the real provider (Google or Apple). */
  url: string;
  skipNonceCheck: boolean;
};

export type Secrets = {
  jwt_secret: string;
  anon_key: string;
  service_role_key: string;
  publishable_key: string;
  secret_key: string;
};

export type AuthConfig = {
  host: string;
  port: number;
  basePath: string;
  externalUrl: string;
  databaseUrl: string;
  keysFile: string;
  secrets: Secrets;
  siteUrl: string;
  additionalRedirectUrls: string[];
  jwtExpiry: number;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  disableSignup: boolean;
  manualLinking: boolean;
  /** Password strength rules (`minimum_password_length`, `password_requirements`). */
  password: { minLength: number; requiredCharacters: string[] };
  mfa: { totpEnroll: boolean; totpVerify: boolean; maxEnrolledFactors: number };
  providers: Partial<Record<ProviderName, ProviderConfig>>;
  /** Schema-qualified, quoted name of the custom access token hook function, when enabled. */
  accessTokenHook: string | null;
};

const envSchema = z.object({
  AUTH_HOST: z.string().default("127.0.0.1"),
  AUTH_PORT: z.coerce.number().int().positive().default(54321),
  AUTH_BASE_PATH: z.string().default("/auth/v1"),
  AUTH_EXTERNAL_URL: z.string().url().optional(),
  AUTH_DATABASE_URL: z.string().min(1),
  AUTH_CONFIG_FILE: z.string().min(1),
  AUTH_SECRETS_FILE: z.string().min(1),
  AUTH_KEYS_FILE: z.string().min(1),
});

const secretsSchema = z.object({
  jwt_secret: z.string().min(32),
  anon_key: z.string().min(1),
  service_role_key: z.string().min(1),
  publishable_key: z.string().startsWith("sb_publishable_"),
  secret_key: z.string().startsWith("sb_secret_"),
});

const providerToml = z
  .object({
    enabled: z.boolean().default(false),
    client_id: z.string().default(""),
    secret: z.string().default(""),
    url: z.string().default(""),
    skip_nonce_check: z.boolean().default(false),
  })
  .partial()
  .default({});

const tomlSchema = z.object({
  auth: z
    .object({
      site_url: z.string().url().default("http://127.0.0.1:3000"),
      additional_redirect_urls: z.array(z.string()).default([]),
      jwt_expiry: z.number().int().positive().max(604800).default(3600),
      enable_refresh_token_rotation: z.boolean().default(true),
      refresh_token_reuse_interval: z.number().int().nonnegative().default(10),
      enable_signup: z.boolean().default(true),
      enable_manual_linking: z.boolean().default(false),
      minimum_password_length: z.number().int().min(6).default(6),
      password_requirements: z
        .enum(["", "letters_digits", "lower_upper_letters_digits", "lower_upper_letters_digits_symbols"])
        .default(""),
      mfa: z
        .object({
          max_enrolled_factors: z.number().int().positive().default(10),
          totp: z
            .object({ enroll_enabled: z.boolean().default(false), verify_enabled: z.boolean().default(false) })
            .default({ enroll_enabled: false, verify_enabled: false }),
        })
        .partial()
        .default({}),
      external: z.record(z.string(), providerToml).default({}),
      hook: z
        .object({
          custom_access_token: z
            .object({ enabled: z.boolean().default(false), uri: z.string().default("") })
            .partial()
            .optional(),
        })
        .partial()
        .default({}),
    })
    .passthrough()
    .default({} as never),
}).passthrough();

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SYMBOLS = "!@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~";

/** The Supabase CLI's `password_requirements` as the character sets a password must each draw from. */
export function requiredCharacterSets(requirement: string): string[] {
  switch (requirement) {
    case "letters_digits":
      return [LOWER + UPPER, DIGITS];
    case "lower_upper_letters_digits":
      return [LOWER, UPPER, DIGITS];
    case "lower_upper_letters_digits_symbols":
      return [LOWER, UPPER, DIGITS, SYMBOLS];
    default:
      return [];
  }
}

/** Replaces `env(NAME)` values the way the Supabase CLI does; a missing variable is an error. */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>, path = ""): unknown {
  if (typeof value === "string") {
    const match = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value.trim());
    if (!match) return value;
    const name = match[1] as string;
    const resolved = env[name];
    if (resolved === undefined) throw new Error(`config.toml ${path}: environment variable ${name} is not set`);
    return resolved;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

/** `pg-functions://postgres/public/custom_access_token_hook` → `"public"."custom_access_token_hook"`. */
export function hookFunctionName(uri: string): string {
  const match = /^pg-functions:\/\/[^/]+\/([A-Za-z_][A-Za-z0-9_]*)\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(uri);
  if (!match) throw new Error(`unsupported hook URI ${JSON.stringify(uri)}: only pg-functions://<db>/<schema>/<function>`);
  return `"${match[1]}"."${match[2]}"`;
}

export function parseAuthToml(text: string, env: Record<string, string | undefined>) {
  const raw = parseToml(text) as Record<string, unknown>;
  // Only providers that are enabled need their env(...) secrets to be set.
  const auth = (raw.auth ?? {}) as Record<string, unknown>;
  const external = (auth.external ?? {}) as Record<string, Record<string, unknown>>;
  const enabledExternal = Object.fromEntries(Object.entries(external).filter(([, p]) => p.enabled === true));
  const substituted = substituteEnv({ ...raw, auth: { ...auth, external: enabledExternal } }, env);
  return tomlSchema.parse(substituted).auth;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const e = envSchema.parse(env);
  const secrets = secretsSchema.parse(JSON.parse(readFileSync(e.AUTH_SECRETS_FILE, "utf8")));
  const auth = parseAuthToml(readFileSync(e.AUTH_CONFIG_FILE, "utf8"), env);
  const providers: AuthConfig["providers"] = {};
  for (const name of ["google", "apple"] as const) {
    const p = auth.external[name];
    if (!p?.enabled) continue;
    if (!p.client_id) throw new Error(`config.toml [auth.external.${name}]: client_id is empty`);
    providers[name] = {
      name,
      clientId: p.client_id,
      secret: p.secret ?? "",
      url: p.url ?? "",
      skipNonceCheck: p.skip_nonce_check ?? false,
    };
  }
  const hook = auth.hook.custom_access_token;
  return {
    host: e.AUTH_HOST,
    port: e.AUTH_PORT,
    basePath: e.AUTH_BASE_PATH.replace(/\/$/, ""),
    externalUrl: (e.AUTH_EXTERNAL_URL ?? `http://${e.AUTH_HOST}:${e.AUTH_PORT}${e.AUTH_BASE_PATH}`).replace(/\/$/, ""),
    databaseUrl: e.AUTH_DATABASE_URL,
    keysFile: e.AUTH_KEYS_FILE,
    secrets,
    siteUrl: auth.site_url,
    additionalRedirectUrls: auth.additional_redirect_urls,
    jwtExpiry: auth.jwt_expiry,
    refreshTokenRotation: auth.enable_refresh_token_rotation,
    refreshTokenReuseInterval: auth.refresh_token_reuse_interval,
    disableSignup: !auth.enable_signup,
    manualLinking: auth.enable_manual_linking,
    password: {
      minLength: auth.minimum_password_length,
      requiredCharacters: requiredCharacterSets(auth.password_requirements),
    },
    mfa: {
      totpEnroll: auth.mfa.totp?.enroll_enabled ?? false,
      totpVerify: auth.mfa.totp?.verify_enabled ?? false,
      maxEnrolledFactors: auth.mfa.max_enrolled_factors ?? 10,
    },
    providers,
    accessTokenHook: hook?.enabled && hook.uri ? hookFunctionName(hook.uri) : null,
  };
}
