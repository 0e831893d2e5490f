import { createHash, randomBytes } from "node:crypto";
import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, APP_CALLBACK, followOAuth, localStack, signIn, ssrClient, uniqueEmail } from "./flows.ts";

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h ?? "", "base64url").toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c ?? "", "base64url").toString()) as Record<string, unknown>,
  };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function hs256(claims: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

async function userStatus(token: string): Promise<{ status: number; code: string | undefined }> {
  const res = await api("/user", { token });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: res.status === 200 ? undefined : body.code };
}

describe("attacks are answered as the hosted Auth server answers them", async () => {
  const { secrets } = localStack();
  const victim = await signIn("google", uniqueEmail("attack"));
  const token = victim.session.access_token;
  const { header, claims } = decode(token);

  it("the real token passes (control)", async () => {
    expect(await userStatus(token)).toEqual({ status: 200, code: undefined });
  });

  it("rejects alg none", async () => {
    const forged = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    expect(await userStatus(forged)).toEqual({ status: 403, code: "bad_jwt" });
  });

  it("rejects HS256 signed with the anon key or a guessed secret", async () => {
    expect(await userStatus(await hs256(claims, secrets.anon_key))).toEqual({ status: 403, code: "bad_jwt" });
    expect(await userStatus(await hs256(claims, "super-secret-jwt-token-with-at-least-32-characters-long"))).toEqual({
      status: 403,
      code: "bad_jwt",
    });
  });

  it("rejects an unknown kid and a key that is not the server's", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "unknown-kid", typ: "JWT" }).sign(privateKey);
    expect(await userStatus(unknownKid)).toEqual({ status: 403, code: "bad_jwt" });
    const serverKid = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: header.kid as string, typ: "JWT" }).sign(privateKey);
    expect(await userStatus(serverKid)).toEqual({ status: 403, code: "bad_jwt" });
  });

  it("rejects an expired token and an edited payload", async () => {
    const expired = await hs256({ ...claims, iat: 1_600_000_000, exp: 1_600_000_600 }, secrets.jwt_secret);
    expect(await userStatus(expired)).toEqual({ status: 403, code: "bad_jwt" });
    const [h, , s] = token.split(".");
    const edited = `${h}.${b64({ ...claims, sub: "00000000-0000-4000-8000-000000000000" })}.${s}`;
    expect(await userStatus(edited)).toEqual({ status: 403, code: "bad_jwt" });
  });

  it("reproduces the hosted server's permissive answers (the app must defend itself)", async () => {
    expect((await userStatus(await hs256(claims, secrets.jwt_secret))).status).toBe(200);
    expect((await userStatus(await hs256({ ...claims, aud: "other" }, secrets.jwt_secret))).status).toBe(200);
    const { session_id: _drop, ...noSession } = claims;
    void _drop;
    expect((await userStatus(await hs256(noSession, secrets.jwt_secret))).status).toBe(200);
  });

  it("refuses an authenticated token on admin endpoints and calls without an apikey", async () => {
    const admin = await api("/admin/users", { token });
    expect(admin.status).toBe(403);
    expect(((await admin.json()) as { code: string }).code).toBe("not_admin");
    const { urls } = localStack();
    const noKey = await fetch(`${urls.authBase}/user`, { headers: { authorization: `Bearer ${token}` } });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ message: "No API key found in request" });
    const badKey = await fetch(`${urls.authBase}/user`, { headers: { apikey: "sb_publishable_nope", authorization: `Bearer ${token}` } });
    expect(badKey.status).toBe(401);
    expect(await badKey.json()).toEqual({ message: "Invalid API key" });
  });

  it("a wrong code_verifier does not consume the code; a replayed code is refused", async () => {
    const ssr = ssrClient();
    const { data } = await ssr.client.auth.signInWithOAuth({ provider: "google", options: { redirectTo: APP_CALLBACK, skipBrowserRedirect: true } });
    const code = (await followOAuth(data.url!, uniqueEmail("pkce"))).searchParams.get("code")!;
    const wrong = await api("/token?grant_type=pkce", { method: "POST", body: JSON.stringify({ auth_code: code, code_verifier: randomBytes(32).toString("base64url") }) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { code: string }).code).toBe("bad_code_verifier");
    const ok = await ssr.client.auth.exchangeCodeForSession(code);
    expect(ok.error).toBeNull();
    const replay = await api("/token?grant_type=pkce", { method: "POST", body: JSON.stringify({ auth_code: code, code_verifier: "x".repeat(43) }) });
    expect(replay.status).toBe(404);
  });

  it("a tampered state is refused at the callback", async () => {
    const { urls } = localStack();
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const start = await fetch(`${urls.authBase}/authorize?provider=google&redirect_to=${encodeURIComponent(APP_CALLBACK)}&code_challenge=${challenge}&code_challenge_method=s256`, { redirect: "manual" });
    const provider = new URL(start.headers.get("location")!);
    const state = provider.searchParams.get("state")!;
    const tampered = state.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    const res = await fetch(`${urls.authBase}/callback?code=abc&state=${tampered}`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("error_code=bad_oauth_state");
  });

  it("accepts any loopback redirect_to, as the hosted server does", async () => {
    const ssr = ssrClient();
    const { data } = await ssr.client.auth.signInWithOAuth({ provider: "google", options: { redirectTo: "http://127.0.0.1:4444/cb", skipBrowserRedirect: true } });
    const { urls } = localStack();
    let url = data.url!;
    for (let i = 0; i < 5; i++) {
      const target = new URL(url);
      if (target.port === "4444") break;
      if (target.pathname.endsWith("/google/authorize")) target.searchParams.set("login_hint", uniqueEmail("loop"));
      const res = await fetch(target, { redirect: "manual" });
      url = new URL(res.headers.get("location")!, target).toString();
    }
    expect(url.startsWith("http://127.0.0.1:4444/cb?code=")).toBe(true);
    void urls;
  });
});
