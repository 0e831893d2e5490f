import { z } from "zod";

const httpUrl = z
  .string({ error: "is missing" })
  .url({ error: "must be an absolute http(s) URL" })
  .refine((v) => /^https?:\/\//.test(v), { error: "must be an absolute http(s) URL" });

const schema = z.object({
  NEXT_PUBLIC_SUPABASE_URL: httpUrl,
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: z.string({ error: "is missing" }).min(1, { error: "is empty" }),
  APP_URL: httpUrl,
  AUTH_PROVIDER_ORIGINS: z.string().optional(),
});

export type AppConfig = {
  supabaseUrl: string;
  supabaseKey: string;
  /** The app's own origin (no trailing slash): OAuth return URLs and CSRF origin checks use it. */
  appOrigin: string;
  /** Cookies are Secure everywhere but plain-http localhost. */
  secureCookies: boolean;
  /** Extra origins the sign-in redirects pass through (the local emulators); the real providers are built in. */
  providerOrigins: string[];
};

export class ConfigError extends Error {}

/** Validates the environment once; the message names every missing or malformed variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = schema.safeParse({
    NEXT_PUBLIC_SUPABASE_URL: env.NEXT_PUBLIC_SUPABASE_URL,
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
    APP_URL: env.APP_URL,
    AUTH_PROVIDER_ORIGINS: env.AUTH_PROVIDER_ORIGINS,
  });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; ");
    throw new ConfigError(
      `Invalid environment: ${problems}. Run \`npm run stack -- start\` to write .env.local for the local stack, ` +
        "or set these variables for a hosted Supabase project (see README).",
    );
  }
  const appOrigin = new URL(result.data.APP_URL).origin;
  return {
    supabaseUrl: result.data.NEXT_PUBLIC_SUPABASE_URL.replace(/\/$/, ""),
    supabaseKey: result.data.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
    appOrigin,
    secureCookies: !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(appOrigin),
    providerOrigins: (result.data.AUTH_PROVIDER_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter((o) => /^https?:\/\/[^/\s]+$/.test(o)),
  };
}

let cached: AppConfig | null = null;

export function getConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
