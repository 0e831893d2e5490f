import { resolve } from "node:path";
import { z } from "zod";
import type { ProviderKind } from "./identities.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");

const nonEmpty = z.string().trim().min(1);

const redirectUrisSchema = z
  .string()
  .transform((value) => value.split(",").map((uri) => uri.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, "at least one redirect URI is required"));

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  IDP_PORT: z.coerce.number().int().min(0).max(65535).default(54325),
  IDP_ISSUER_BASE: z.url({ protocol: /^https?$/ }).optional(),
  IDP_GOOGLE_CLIENT_ID: nonEmpty,
  IDP_GOOGLE_CLIENT_SECRET: nonEmpty,
  IDP_APPLE_CLIENT_ID: nonEmpty,
  IDP_APPLE_CLIENT_SECRET: nonEmpty,
  IDP_REDIRECT_URIS: redirectUrisSchema,
  IDP_STATE_FILE: nonEmpty.default(resolve(repoRoot, ".stack", "idp", "state.json")),
  // An empty value means no seeded identities: every email gets a derived identity.
  IDP_IDENTITIES_FILE: z.string().trim().default(resolve(repoRoot, "stack", "idp", "identities.json")),
  IDP_DEFAULT_NAME: z.string().trim().optional(),
  // Per-provider overrides of IDP_DEFAULT_NAME (the contract recording has Google "Spike User", Apple "Spike Apple").
  IDP_GOOGLE_DEFAULT_NAME: z.string().trim().optional(),
  IDP_APPLE_DEFAULT_NAME: z.string().trim().optional(),
});

export type IdpEnv = {
  port: number;
  /** Unset: the listening origin (which is only known after listening when the port is 0). */
  issuerBase?: string;
  google: { clientId: string; clientSecret: string };
  apple: { clientId: string; clientSecret: string };
  redirectUris: string[];
  stateFile: string;
  identitiesFile: string | null;
  /** Display name of identities that are not seeded, per provider (unset: made from the email). */
  defaultNames: Partial<Record<ProviderKind, string>>;
};

function pickNames(names: Record<ProviderKind, string | undefined>): Partial<Record<ProviderKind, string>> {
  return Object.fromEntries(Object.entries(names).filter(([, name]) => name)) as Partial<Record<ProviderKind, string>>;
}

export function readIdpEnv(env: Record<string, string | undefined>): IdpEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`idp: invalid environment:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production") {
    throw new Error("idp: the Google/Apple emulators are for development and tests only; refusing to start with NODE_ENV=production");
  }
  return {
    port: e.IDP_PORT,
    ...(e.IDP_ISSUER_BASE ? { issuerBase: e.IDP_ISSUER_BASE.replace(/\/+$/, "") } : {}),
    google: { clientId: e.IDP_GOOGLE_CLIENT_ID, clientSecret: e.IDP_GOOGLE_CLIENT_SECRET },
    apple: { clientId: e.IDP_APPLE_CLIENT_ID, clientSecret: e.IDP_APPLE_CLIENT_SECRET },
    redirectUris: e.IDP_REDIRECT_URIS,
    stateFile: resolve(e.IDP_STATE_FILE),
    identitiesFile: e.IDP_IDENTITIES_FILE === "" ? null : resolve(e.IDP_IDENTITIES_FILE),
    defaultNames: pickNames({
      google: e.IDP_GOOGLE_DEFAULT_NAME || e.IDP_DEFAULT_NAME,
      apple: e.IDP_APPLE_DEFAULT_NAME || e.IDP_DEFAULT_NAME,
    }),
  };
}
