import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_CALLBACK, followOAuthToApp, localStack, uniqueEmail } from "./flows.ts";
import { startOwnStack, type OwnStack } from "./own-stack.ts";

// `/authorize` without `code_challenge` is Supabase Auth's implicit flow: the callback creates the session at
// once and sends its tokens in the fragment of `redirect_to`. The contract (21) shows one Google sign-in with
// a query in `redirect_to`; these cover the rest of the rule.

let stack: OwnStack;
let sql: postgres.Sql;

beforeAll(async () => {
  stack = await startOwnStack();
  sql = postgres(localStack().urls.db, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await stack?.close();
});

const TOKEN_KEYS = ["access_token", "expires_at", "expires_in", "provider_token", "refresh_token", "sb", "token_type"];

function authorizeUrl(provider: "google" | "apple", params: Record<string, string> = {}): string {
  const url = new URL(`${stack.authBase}/authorize`);
  url.searchParams.set("provider", provider);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** Runs the browser's part of the flow and returns the raw Location the app receives. */
async function implicitSignIn(provider: "google" | "apple", email: string, params: Record<string, string> = {}): Promise<string> {
  return followOAuthToApp(authorizeUrl(provider, params), email);
}

function split(location: string): { beforeHash: string; fragment: URLSearchParams } {
  const hash = location.indexOf("#");
  expect(hash).toBeGreaterThan(0);
  return { beforeHash: location.slice(0, hash), fragment: new URLSearchParams(location.slice(hash + 1)) };
}

async function authApi(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("apikey", stack.anonKey);
  headers.set("authorization", `Bearer ${init.token ?? stack.anonKey}`);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${stack.authBase}${path}`, { ...init, headers });
}

describe("the implicit flow (no code_challenge)", () => {
  it("Google, redirect_to with a query: the query stays as sent, the tokens follow in the fragment", async () => {
    const email = uniqueEmail("implicit-g");
    const location = await implicitSignIn("google", email, { redirect_to: `${APP_CALLBACK}?next=/settings` });
    const { beforeHash, fragment } = split(location);
    expect(beforeHash).toBe(`${APP_CALLBACK}?next=/settings`);
    expect([...fragment.keys()]).toEqual(TOKEN_KEYS);
    expect(fragment.get("sb")).toBe("");
    expect(fragment.get("token_type")).toBe("bearer");
    expect(Number(fragment.get("expires_in"))).toBeGreaterThanOrEqual(599);
    expect(Number(fragment.get("expires_at"))).toBeGreaterThan(Date.now() / 1000);
    expect(fragment.get("provider_token")).toMatch(/\S{10,}/);

    const user = await authApi("/user", { token: fragment.get("access_token") ?? "" });
    expect(user.status).toBe(200);
    expect(((await user.json()) as { email: string }).email).toBe(email);
    const refreshed = await authApi("/token?grant_type=refresh_token", {
      method: "POST",
      body: JSON.stringify({ refresh_token: fragment.get("refresh_token") }),
    });
    expect(refreshed.status).toBe(200);
  });

  it("leaves no flow state behind: the state is used up by the callback", async () => {
    const start = await fetch(authorizeUrl("google", { redirect_to: APP_CALLBACK }), { redirect: "manual" });
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state") ?? "";
    expect((await sql`select count(*)::int as n from auth.flow_state where id = ${state}::uuid`)[0]?.n).toBe(1);
    const consent = new URL(start.headers.get("location") ?? "");
    consent.searchParams.set("login_hint", uniqueEmail("implicit-state"));
    const callback = await fetch(consent, { redirect: "manual" });
    const landed = await fetch(callback.headers.get("location") ?? "", { redirect: "manual" });
    expect(landed.headers.get("location")).toContain("#access_token=");
    expect((await sql`select count(*)::int as n from auth.flow_state where id = ${state}::uuid`)[0]?.n).toBe(0);
    // The same callback again: the state is gone, so it is refused and nothing is issued.
    const replay = await fetch(callback.headers.get("location") ?? "", { redirect: "manual" });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toContain("error_code=bad_oauth_state");
  });

  it("redirect_to without a query: the fragment follows the path", async () => {
    const location = await implicitSignIn("google", uniqueEmail("implicit-noq"), { redirect_to: APP_CALLBACK });
    expect(location.startsWith(`${APP_CALLBACK}#access_token=`)).toBe(true);
    expect([...split(location).fragment.keys()]).toEqual(TOKEN_KEYS);
  });

  it("without redirect_to: the bare site URL", async () => {
    const location = await implicitSignIn("google", uniqueEmail("implicit-site"));
    expect(location.startsWith("http://localhost:3000#access_token=")).toBe(true);
  });

  it("redirect_to with a fragment of its own: the tokens follow after a second '#', as Supabase Auth writes them", async () => {
    const location = await implicitSignIn("google", uniqueEmail("implicit-frag"), { redirect_to: `${APP_CALLBACK}?a=1#top` });
    expect(location.startsWith(`${APP_CALLBACK}?a=1#top#access_token=`)).toBe(true);
  });

  it("Apple (form_post callback): the tokens in the fragment, the name Apple posts once kept", async () => {
    const email = uniqueEmail("implicit-a");
    const location = await implicitSignIn("apple", email, { redirect_to: `${APP_CALLBACK}?next=/account` });
    const { beforeHash, fragment } = split(location);
    expect(beforeHash).toBe(`${APP_CALLBACK}?next=/account`);
    expect([...fragment.keys()]).toEqual(TOKEN_KEYS);
    const user = await authApi("/user", { token: fragment.get("access_token") ?? "" });
    expect(user.status).toBe(200);
    const body = (await user.json()) as { email: string; app_metadata: { provider: string } };
    expect(body.email).toBe(email);
    expect(body.app_metadata.provider).toBe("apple");
  });

  it("supabase-js with flowType implicit: no code_challenge is sent, and the fragment's tokens make a session", async () => {
    const client = createClient(stack.authBase.replace(/\/auth\/v1$/, ""), stack.anonKey, {
      auth: { flowType: "implicit", persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
    const { data, error } = await client.auth.signInWithOAuth({
      provider: "google",
      options: { redirectTo: APP_CALLBACK, skipBrowserRedirect: true },
    });
    expect(error).toBeNull();
    expect(new URL(data.url ?? "").searchParams.has("code_challenge")).toBe(false);
    const email = uniqueEmail("implicit-js");
    const { fragment } = split(await followOAuthToApp(data.url ?? "", email));
    const session = await client.auth.setSession({
      access_token: fragment.get("access_token") ?? "",
      refresh_token: fragment.get("refresh_token") ?? "",
    });
    expect(session.error).toBeNull();
    expect(session.data.user?.email).toBe(email);
  });

  it("PKCE stays PKCE: with a code_challenge the app gets a code in the query and no tokens", async () => {
    const challenge = "a".repeat(43);
    const location = await implicitSignIn("google", uniqueEmail("implicit-pkce"), {
      redirect_to: APP_CALLBACK,
      code_challenge: challenge,
      code_challenge_method: "plain",
    });
    expect(location).toMatch(new RegExp(`^${APP_CALLBACK}\\?code=[0-9a-f-]{36}$`));
  });
});

describe("errors in the implicit flow", () => {
  it("a cancelled Google sign-in: the error in the query and again in the fragment, no tokens", async () => {
    const location = await implicitSignIn("google", "cancel", { redirect_to: `${APP_CALLBACK}?next=/settings` });
    expect(location).toBe(
      `${APP_CALLBACK}?error=access_denied&error_description=The+user+denied+access&next=%2Fsettings` +
        "#error=access_denied&error_description=The+user+denied+access&sb=",
    );
  });

  it("a cancelled Apple sign-in (form_post): Apple's error name, an empty description kept in the query only", async () => {
    const location = await implicitSignIn("apple", "cancel", { redirect_to: APP_CALLBACK });
    expect(location).toBe(`${APP_CALLBACK}?error=user_cancelled_authorize&error_description=#error=user_cancelled_authorize&sb=`);
  });

  it("a banned user: Supabase's error_code in both, and no session is created", async () => {
    const email = uniqueEmail("implicit-banned");
    const first = split(await implicitSignIn("google", email, { redirect_to: APP_CALLBACK })).fragment;
    const me = (await (await authApi("/user", { token: first.get("access_token") ?? "" })).json()) as { id: string };
    await sql`update auth.users set banned_until = now() + interval '1 day' where id = ${me.id}::uuid`;
    const sessionsBefore = (await sql`select count(*)::int as n from auth.sessions where user_id = ${me.id}::uuid`)[0]?.n;

    const location = await implicitSignIn("google", email, { redirect_to: APP_CALLBACK });
    expect(location).toBe(
      `${APP_CALLBACK}?error=access_denied&error_code=user_banned&error_description=User+is+banned` +
        "#error=access_denied&error_code=user_banned&error_description=User+is+banned&sb=",
    );
    expect((await sql`select count(*)::int as n from auth.sessions where user_id = ${me.id}::uuid`)[0]?.n).toBe(sessionsBefore);
  });
});
