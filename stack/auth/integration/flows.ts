import { readFileSync } from "node:fs";
import { createServerClient } from "@supabase/ssr";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { stackUrls } from "../../env.ts";
import { repoRoot, stackPaths } from "../../paths.ts";
import type { Secrets } from "../../secrets.ts";

/** Integration tests talk to the running local stack only (`npm run stack -- start`). */
export function localStack(): { urls: ReturnType<typeof stackUrls>; secrets: Secrets; paths: ReturnType<typeof stackPaths> } {
  const paths = stackPaths(repoRoot());
  const secrets = JSON.parse(readFileSync(paths.secretsFile, "utf8")) as Secrets;
  const urls = stackUrls();
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(urls.api)) throw new Error(`refusing to test a non-local Auth server: ${urls.api}`);
  return { urls, secrets, paths };
}

export const APP_CALLBACK = "http://localhost:3000/auth/callback";

export type CookieJar = Map<string, string>;

/** A @supabase/ssr server client over an in-memory cookie jar, as the app builds one per request. */
export function ssrClient(jar: CookieJar = new Map()): { client: SupabaseClient; jar: CookieJar } {
  const { urls, secrets } = localStack();
  const client = createServerClient(urls.api, secrets.publishable_key, {
    cookies: {
      encode: "tokens-only",
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (toSet) => {
        for (const { name, value, options } of toSet) {
          if (options?.maxAge === 0 || value === "") jar.delete(name);
          else jar.set(name, value);
        }
      },
    },
    auth: { flowType: "pkce", autoRefreshToken: false, detectSessionInUrl: false },
  });
  return { client: client as unknown as SupabaseClient, jar };
}

export function adminClient(): SupabaseClient {
  const { urls, secrets } = localStack();
  return createClient(urls.api, secrets.secret_key, { auth: { persistSession: false, autoRefreshToken: false } });
}

function formFields(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1] ?? "";
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name=("?)([\w-]+)\1[^>]*value=(?:"([^"]*)"|'([^']*)')/gi)) {
    fields[m[2] as string] = (m[3] ?? m[4] ?? "").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&");
  }
  return { action, fields };
}

/**
 * Drives a browser's part of an OAuth sign-in from the URL supabase-js hands out: the Auth server's
 * /authorize, the emulator (identity chosen with login_hint), the callback (query or Apple's form_post).
 * Returns the final redirect URL (the app callback with `code`, or an error).
 */
export async function followOAuth(startUrl: string, email: string): Promise<URL> {
  return new URL(await followOAuthToApp(startUrl, email));
}

/** `followOAuth`, returning the app's URL exactly as the last Location wrote it (no URL normalisation). */
export async function followOAuthToApp(startUrl: string, email: string): Promise<string> {
  let url = startUrl;
  for (let hop = 0; hop < 10; hop++) {
    const target = new URL(url);
    if (target.origin === new URL(APP_CALLBACK).origin) return url;
    if (/\/(google|apple)\/authorize$/.test(target.pathname)) target.searchParams.set("login_hint", email);
    const res = await fetch(target, { redirect: "manual" });
    const location = res.headers.get("location");
    if (location) {
      url = URL.canParse(location) ? location : new URL(location, target).toString();
      continue;
    }
    const html = await res.text();
    const form = formFields(html);
    if (!form.action) throw new Error(`OAuth flow stopped at ${target} with ${res.status}: ${html.slice(0, 200)}`);
    const post = await fetch(form.action, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form.fields),
    });
    const next = post.headers.get("location");
    if (!next) throw new Error(`form_post callback answered ${post.status}`);
    url = URL.canParse(next) ? next : new URL(next, form.action).toString();
  }
  throw new Error("too many redirects");
}

/** A full PKCE sign-in with the real @supabase/ssr client; returns the client holding the session. */
export async function signIn(provider: "google" | "apple", email: string) {
  const ssr = ssrClient();
  const { data, error } = await ssr.client.auth.signInWithOAuth({
    provider,
    options: { redirectTo: APP_CALLBACK, skipBrowserRedirect: true },
  });
  if (error || !data.url) throw error ?? new Error("no authorize URL");
  const landed = await followOAuth(data.url, email);
  const code = landed.searchParams.get("code");
  if (!code) throw new Error(`sign-in failed: ${landed}`);
  const exchanged = await ssr.client.auth.exchangeCodeForSession(code);
  if (exchanged.error || !exchanged.data.session) throw exchanged.error ?? new Error("no session");
  return { ...ssr, session: exchanged.data.session, user: exchanged.data.user };
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export async function api(path: string, init: RequestInit & { token?: string; key?: string } = {}): Promise<Response> {
  const { urls, secrets } = localStack();
  const headers = new Headers(init.headers);
  headers.set("apikey", init.key ?? secrets.anon_key);
  headers.set("authorization", `Bearer ${init.token ?? init.key ?? secrets.anon_key}`);
  headers.set("x-supabase-api-version", "2024-01-01");
  if (init.body) headers.set("content-type", "application/json;charset=UTF-8");
  return fetch(`${urls.authBase}${path}`, { ...init, headers });
}
