import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../idp/test-support.ts";
import { APP_CALLBACK, uniqueEmail } from "./flows.ts";
import { startOwnStack, type OwnStack } from "./own-stack.ts";

// What apps pass to Google through `signInWithOAuth({ options: { queryParams } })`: the Auth server forwards
// every extra query parameter to Google's authorization URL, so each value below goes browser → Auth server
// → Google emulator (its page or not) → Auth server callback → the app, with the real supabase-js client.

let stack: OwnStack;

beforeAll(async () => {
  stack = await startOwnStack();
});

afterAll(async () => {
  await stack?.close();
});

function pkceClient(): SupabaseClient {
  const store = new Map<string, string>();
  return createClient(stack.authBase.replace(/\/auth\/v1$/, ""), stack.anonKey, {
    auth: {
      flowType: "pkce",
      autoRefreshToken: false,
      detectSessionInUrl: false,
      storage: {
        getItem: (key) => store.get(key) ?? null,
        setItem: (key, value) => void store.set(key, value),
        removeItem: (key) => void store.delete(key),
      },
    },
  });
}

type Browsed = { landed: URL; pages: string[] };

/**
 * A browser following the redirects from `startUrl` to the app; on the emulator's page it picks `email`
 * (or fails the test when no page was expected). Returns where it landed and the pages it saw.
 */
async function browse(startUrl: string, pick: string | null): Promise<Browsed> {
  const jar = new CookieJar();
  const pages: string[] = [];
  let url = startUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (new URL(url).origin === new URL(APP_CALLBACK).origin) return { landed: new URL(url), pages };
    const response = await jar.fetch(url);
    const location = response.headers.get("location");
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200 || !new URL(url).pathname.includes("/interaction/")) {
      throw new Error(`stopped at ${url} with ${response.status}: ${html.slice(0, 200)}`);
    }
    pages.push(html);
    if (pick === null) throw new Error(`unexpected page at ${url}`);
    const submitted = await jar.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ action: "continue", email: pick }),
    });
    url = new URL(submitted.headers.get("location") ?? "", url).href;
  }
  throw new Error("too many redirects");
}

async function startSignIn(client: SupabaseClient, queryParams: Record<string, string>): Promise<string> {
  const { data, error } = await client.auth.signInWithOAuth({
    provider: "google",
    options: { redirectTo: APP_CALLBACK, skipBrowserRedirect: true, queryParams },
  });
  expect(error).toBeNull();
  // The Auth server hands every extra parameter on to Google's authorization URL.
  const toGoogle = await fetch(data.url ?? "", { redirect: "manual" });
  const googleUrl = new URL(toGoogle.headers.get("location") ?? "");
  expect(googleUrl.href.startsWith(`${stack.idp.issuers.google}/authorize?`)).toBe(true);
  for (const [key, value] of Object.entries(queryParams)) expect(googleUrl.searchParams.get(key)).toBe(value);
  return data.url ?? "";
}

async function signedIn(client: SupabaseClient, landed: URL) {
  const code = landed.searchParams.get("code");
  expect(code, `landed on ${landed}`).toBeTruthy();
  const { data, error } = await client.auth.exchangeCodeForSession(code ?? "");
  expect(error).toBeNull();
  return data.session!;
}

describe("Google's authorization parameters through the Auth server", () => {
  for (const prompt of ["select_account", "consent", "select_account consent"]) {
    it(`prompt=${prompt}: the emulator's page, then signed in as the account picked`, async () => {
      const client = pkceClient();
      const email = uniqueEmail("prompt-page");
      const { landed, pages } = await browse(await startSignIn(client, { prompt }), email);
      expect(pages).toHaveLength(1);
      expect(pages[0]).toContain(`<code>prompt=${prompt}</code>`);
      const session = await signedIn(client, landed);
      expect(session.user.email).toBe(email);
      expect(session.user.app_metadata.provider).toBe("google");
    });

    it(`prompt=${prompt} with login_hint: no page, signed in as the hinted account`, async () => {
      const client = pkceClient();
      const email = uniqueEmail("prompt-hint");
      const { landed, pages } = await browse(await startSignIn(client, { prompt, login_hint: email }), null);
      expect(pages).toEqual([]);
      expect((await signedIn(client, landed)).user.email).toBe(email);
    });
  }

  it("prompt=none without an emulator session: the app gets login_required, in the query and the fragment", async () => {
    const client = pkceClient();
    const { landed } = await browse(await startSignIn(client, { prompt: "none" }), null);
    expect(landed.searchParams.get("error")).toBe("login_required");
    expect(landed.searchParams.get("error_description")).toBe("End-User authentication is required");
    expect(landed.searchParams.has("code")).toBe(false);
    expect(new URLSearchParams(landed.hash.slice(1)).get("error")).toBe("login_required");
  });

  it("prompt=none with login_hint (an account signed in at Google): signed in without a page", async () => {
    const client = pkceClient();
    const email = uniqueEmail("prompt-none");
    const { landed } = await browse(await startSignIn(client, { prompt: "none", login_hint: email }), null);
    expect((await signedIn(client, landed)).user.email).toBe(email);
  });

  it("prompt=login, which Google does not honour: the app gets invalid_request", async () => {
    const client = pkceClient();
    const { landed } = await browse(await startSignIn(client, { prompt: "login", login_hint: uniqueEmail("prompt-login") }), null);
    expect(landed.searchParams.get("error")).toBe("invalid_request");
    expect(landed.searchParams.get("error_description")).toBe("unsupported prompt value requested");
  });

  it("access_type=offline with prompt=consent: the session carries Google's refresh token", async () => {
    const client = pkceClient();
    const email = uniqueEmail("offline");
    const { landed } = await browse(await startSignIn(client, { access_type: "offline", prompt: "consent" }), email);
    const session = await signedIn(client, landed);
    expect(session.user.email).toBe(email);
    expect(session.provider_token).toBeTruthy();
    expect(session.provider_refresh_token).toBeTruthy();
  });

  it("access_type=online: signed in, no provider refresh token", async () => {
    const client = pkceClient();
    const email = uniqueEmail("online");
    const { landed } = await browse(await startSignIn(client, { access_type: "online", login_hint: email }), null);
    const session = await signedIn(client, landed);
    expect(session.provider_token).toBeTruthy();
    expect(session.provider_refresh_token ?? null).toBeNull();
  });

  it.each<Record<string, string>>([
    { hd: "example.com" },
    { hd: "*" },
    { include_granted_scopes: "true" },
    { access_type: "offline", include_granted_scopes: "true", hd: "example.com", prompt: "select_account" },
  ])("%j with login_hint: signed in", async (queryParams) => {
    const client = pkceClient();
    const email = uniqueEmail("params");
    const { landed } = await browse(await startSignIn(client, { ...queryParams, login_hint: email }), null);
    expect((await signedIn(client, landed)).user.email).toBe(email);
  });
});
