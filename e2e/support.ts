import { readFileSync } from "node:fs";
import { expect, type APIRequestContext, type APIResponse, type BrowserContext, type Page } from "@playwright/test";

/** Values from the git-ignored .env.local that `npm run stack -- start` writes; tests refuse non-local URLs. */
export function localEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(".env.local", "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  const url = env.NEXT_PUBLIC_SUPABASE_URL ?? "";
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(url)) {
    throw new Error(`e2e tests run only against a local Supabase, not ${url || "(unset)"}`);
  }
  return env;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/**
 * Signs in through the app's login page and the provider emulator's consent page, typing an identity.
 * Resolves on the page the app lands on.
 */
export async function signIn(
  page: Page,
  provider: "google" | "apple",
  who: { email: string; name?: string },
  opts: { next?: string } = {},
): Promise<void> {
  await page.goto(opts.next ? `/login?next=${encodeURIComponent(opts.next)}` : "/login");
  await page.getByRole("button", { name: provider === "google" ? "Continue with Google" : "Continue with Apple" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(provider === "google" ? "Google" : "Apple");
  await page.locator("#email").fill(who.email);
  if (who.name) await page.locator("#name").fill(who.name);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && !url.pathname.startsWith("/auth/"));
}

// ---------------------------------------------------------------------------------------------------------
// Session-layer helpers (revocation, forged cookies, CSRF, key rotation). Everything here talks to the
// local stack only: localEnv() refuses any other Supabase URL.

/** The app's own origin, as the CSRF check and the OAuth return URLs know it. */
export const APP_ORIGIN = "http://localhost:3000";

/** @supabase/ssr's cookie name: `sb-<first label of the Supabase host>-auth-token` (sb-127-auth-token). */
export function sessionCookieName(): string {
  const host = new URL(localEnv().NEXT_PUBLIC_SUPABASE_URL as string).hostname;
  return `sb-${host.split(".")[0]}-auth-token`;
}

export type StoredSession = {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  expires_in: number;
  token_type: string;
  [key: string]: unknown;
};

/** The session a `tokens-only` cookie holds: `base64-` + base64url(JSON). */
export function decodeSession(value: string): StoredSession {
  const raw = decodeURIComponent(value);
  const json = raw.startsWith("base64-") ? Buffer.from(raw.slice(7), "base64url").toString("utf8") : raw;
  return JSON.parse(json) as StoredSession;
}

export function encodeSession(session: StoredSession): string {
  return `base64-${Buffer.from(JSON.stringify(session), "utf8").toString("base64url")}`;
}

export type JwtHeader = { alg: string; kid?: string; typ?: string };
export type JwtPayload = Record<string, unknown> & { sub: string; exp: number; session_id?: string };

/** Header and claims of a JWT, unverified (tests build forgeries from real tokens). */
export function decodeJwt(token: string): { header: JwtHeader; payload: JwtPayload; parts: string[] } {
  const parts = token.split(".");
  const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString("utf8")) as JwtHeader;
  const payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as JwtPayload;
  return { header, payload, parts };
}

/** The stack's generated secrets (.stack/secrets.json): jwt_secret, anon_key, … */
export function stackSecrets(): { jwt_secret: string; anon_key: string; service_role_key: string } {
  localEnv();
  return JSON.parse(readFileSync(".stack/secrets.json", "utf8")) as { jwt_secret: string; anon_key: string; service_role_key: string };
}

export type StoredSigningKey = { kid: string; status: "signing" | "standby" | "previous"; private_jwk: Record<string, unknown> };

/** The Auth server's ES256 keys (.stack/auth/signing-keys.json), private halves included. */
export function stackSigningKeys(): StoredSigningKey[] {
  localEnv();
  return (JSON.parse(readFileSync(".stack/auth/signing-keys.json", "utf8")) as { keys: StoredSigningKey[] }).keys;
}

/** The kids the Auth server publishes right now. */
export async function publishedKids(): Promise<string[]> {
  const res = await fetch(`${localEnv().NEXT_PUBLIC_SUPABASE_URL}/auth/v1/.well-known/jwks.json`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

/** Runs SQL as the local superuser (postgres): the tests' stand-in for the admin API and a second admin. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  query: string,
  params: (string | number | boolean | null)[] = [],
): Promise<T[]> {
  const { default: postgres } = await import("postgres");
  const url = localEnv().DATABASE_URL as string;
  if (!/@(127\.0\.0\.1|localhost):\d+\//.test(url)) throw new Error(`e2e tests run only against a local database, not ${url}`);
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await db.unsafe(query, params)) as unknown as T[];
  } finally {
    await db.end();
  }
}

export async function userIdByEmail(email: string): Promise<string> {
  const rows = await sql<{ id: string }>("select id::text from auth.users where email = $1", [email.toLowerCase()]);
  if (!rows[0]) throw new Error(`no user ${email}`);
  return rows[0].id;
}

/**
 * Signs in with Google through the app without a browser: the app's sign-in POST, the Auth server, the
 * emulator's consent form (email and name typed), the Auth server's callback and the app's callback, all
 * in one Playwright request context whose cookie jar ends up holding the session. Resolves on the landing
 * page's response.
 */
export async function signInByRequest(
  ctx: APIRequestContext,
  who: { email: string; name?: string },
  opts: { next?: string } = {},
): Promise<APIResponse> {
  const consent = await ctx.post(`${APP_ORIGIN}/auth/sign-in`, {
    headers: { origin: APP_ORIGIN },
    form: { provider: "google", next: opts.next ?? "/account" },
  });
  const html = await consent.text();
  expect(consent.status(), html.slice(0, 300)).toBe(200);
  const form = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="action" value="continue">/.exec(html);
  if (!form?.[1]) throw new Error(`no consent form at ${consent.url()}: ${html.slice(0, 300)}`);
  const action = new URL(form[1].replaceAll("&amp;", "&"), consent.url()).toString();
  const landed = await ctx.post(action, { form: { action: "continue", email: who.email, name: who.name ?? "" } });
  expect(new URL(landed.url()).origin).toBe(APP_ORIGIN);
  return landed;
}

/** The session cookie of a request context or browser context, decoded. */
export async function sessionOf(ctx: APIRequestContext | BrowserContext): Promise<{ value: string; session: StoredSession }> {
  const state = await ctx.storageState();
  const cookie = state.cookies.find((c) => c.name === sessionCookieName());
  if (!cookie) throw new Error(`no ${sessionCookieName()} cookie`);
  return { value: cookie.value, session: decodeSession(cookie.value) };
}

/** A cookie for the app's origin, as `BrowserContext.addCookies` and `storageState` take it. */
export function appCookie(name: string, value: string) {
  return { name, value, domain: "localhost", path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" as const };
}
