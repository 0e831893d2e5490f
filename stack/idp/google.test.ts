import { createHash, randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeUrl,
  CookieJar,
  discovery,
  exchangeCode,
  GOOGLE,
  googleParams,
  locationParams,
  REDIRECT_URI,
  signInThroughPage,
  startTestIdp,
  type TestIdp,
} from "./test-support.ts";

let idp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp();
});

afterAll(async () => {
  await idp.remove();
});

async function codeFor(params: Record<string, string>): Promise<string> {
  const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
  expect(response.status).toBe(302);
  const { base, params: query } = locationParams(response);
  expect(base).toBe(REDIRECT_URI);
  expect(query.state).toBe(params.state);
  expect(query.code).toMatch(/^[\w-]{20,}$/);
  return query.code ?? "";
}

async function userinfo(accessToken: string): Promise<Response> {
  const endpoint = (await discovery(idp, "google")).userinfo_endpoint as string;
  return fetch(endpoint, { headers: { Authorization: `Bearer ${accessToken}` } });
}

describe("Google emulator", () => {
  it("publishes discovery and a JWKS with an RS256 key", async () => {
    const meta = await discovery(idp, "google");
    expect(meta.issuer).toBe(idp.issuers.google);
    expect(meta.authorization_endpoint).toBe(`${idp.issuers.google}/authorize`);
    expect(meta.token_endpoint).toBe(`${idp.issuers.google}/token`);
    expect(meta.userinfo_endpoint).toBe(`${idp.issuers.google}/userinfo`);
    expect(meta.jwks_uri).toBe(`${idp.issuers.google}/jwks`);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["client_secret_basic", "client_secret_post"]),
    );
    const jwks = (await (await fetch(meta.jwks_uri as string)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("signs in with login_hint: immediate 302 with code and state, then token, ID token and userinfo", async () => {
    const params = googleParams({ login_hint: "ada@example.com" });
    const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie()).toEqual([]);
    const { base, params: query } = locationParams(response);
    expect(base).toBe(REDIRECT_URI);
    expect(Object.keys(query).sort()).toEqual(["code", "state"]);
    expect(query.state).toBe(params.state);

    const token = await exchangeCode(idp, "google", query.code ?? "", { method: "post" });
    expect(token.status).toBe(200);
    const body = (await token.json()) as Record<string, unknown>;
    expect(body.token_type).toBe("Bearer");
    expect(typeof body.access_token).toBe("string");

    const profile = {
      sub: "google-b5fc85e55755f9e0",
      name: "Ada Lovelace",
      given_name: "Ada",
      family_name: "Lovelace",
      picture: "https://example.com/a.png",
      email: "ada@example.com",
      email_verified: true,
    };
    const info = await userinfo(body.access_token as string);
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual(profile);

    // Like Google, an ID token comes back although Supabase Auth asks for `email profile` only.
    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "google")).jwks_uri as string));
    const { payload } = await jwtVerify(body.id_token as string, jwks, {
      issuer: idp.issuers.google,
      audience: GOOGLE.clientId,
    });
    expect(payload).toMatchObject(profile);
    expect(payload).not.toHaveProperty("nonce");
  });

  it("releases only the claims of the granted scopes at userinfo", async () => {
    const code = await codeFor(googleParams({ login_hint: "ada@example.com", scope: "email" }));
    const body = (await (await exchangeCode(idp, "google", code)).json()) as { access_token: string };
    expect(await (await userinfo(body.access_token)).json()).toEqual({
      sub: "google-b5fc85e55755f9e0",
      email: "ada@example.com",
      email_verified: true,
    });
  });

  it("tolerates redirect_to and any other unknown parameter", async () => {
    const code = await codeFor(
      googleParams({ login_hint: "alan@example.com", redirect_to: "https://evil.example/cb", something: "else" }),
    );
    expect((await exchangeCode(idp, "google", code)).status).toBe(200);
  });

  it("issues an RS256 ID token with Google's claims when openid is requested (basic auth, nonce, PKCE)", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const code = await codeFor(
      googleParams({
        login_hint: "grace@example.com",
        scope: "openid email profile",
        nonce: "nonce-123",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
    );
    const token = await exchangeCode(idp, "google", code, { method: "basic", codeVerifier: verifier });
    expect(token.status).toBe(200);
    const body = (await token.json()) as { id_token: string; access_token: string };
    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "google")).jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(body.id_token, jwks, {
      issuer: idp.issuers.google,
      audience: GOOGLE.clientId,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      email: "grace@example.com",
      email_verified: true,
      name: "Grace Hopper",
      given_name: "Grace",
      family_name: "Hopper",
      picture: "https://example.com/a.png",
      nonce: "nonce-123",
    });
    expect(payload.sub).toBe(`google-${createHash("sha256").update("grace@example.com").digest("hex").slice(0, 16)}`);
    expect((await userinfo(body.access_token)).status).toBe(200);
  });

  it("rejects a wrong PKCE verifier", async () => {
    const challenge = createHash("sha256").update("right-verifier-right-verifier-right-verifier").digest("base64url");
    const code = await codeFor(
      googleParams({ login_hint: "ada@example.com", code_challenge: challenge, code_challenge_method: "S256" }),
    );
    const token = await exchangeCode(idp, "google", code, { codeVerifier: "wrong-verifier-wrong-verifier-wrong-verifier" });
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("derives an identity for an unknown email from its local part", async () => {
    const code = await codeFor(googleParams({ login_hint: "ada.l@example.org" }));
    const body = (await (await exchangeCode(idp, "google", code)).json()) as { access_token: string };
    expect(await (await userinfo(body.access_token)).json()).toMatchObject({
      sub: `google-${createHash("sha256").update("ada.l@example.org").digest("hex").slice(0, 16)}`,
      name: "Ada L",
      given_name: "Ada",
      family_name: "L",
      email: "ada.l@example.org",
      email_verified: true,
    });
  });

  it("shows a consent page without login_hint and signs in the picked identity", async () => {
    const params = googleParams();
    const { page, final } = await signInThroughPage(idp, "google", params, {
      action: "continue",
      email: "grace@example.com",
    });
    expect(page).toContain("<title>Sign in with Google (emulator)</title>");
    for (const email of ["ada@example.com", "grace@example.com", "alan@example.com", "admin@example.com"]) {
      expect(page).toContain(`value="${email}"`);
    }
    expect(page).toContain('<label for="email">Email</label>');
    expect(page).toContain('value="cancel"');

    expect(final.status).toBe(302);
    const { base, params: query } = locationParams(final);
    expect(base).toBe(REDIRECT_URI);
    expect(query.state).toBe(params.state);
    const body = (await (await exchangeCode(idp, "google", query.code ?? "")).json()) as { access_token: string };
    expect(await (await userinfo(body.access_token)).json()).toMatchObject({
      email: "grace@example.com",
      name: "Grace Hopper",
    });
  });

  it("uses a typed email and name from the consent page", async () => {
    const { final } = await signInThroughPage(idp, "google", googleParams(), {
      action: "continue",
      email: "Nora@Example.com",
      name: "Nora  Newcomer",
    });
    const { params: query } = locationParams(final);
    const body = (await (await exchangeCode(idp, "google", query.code ?? "")).json()) as { access_token: string };
    expect(await (await userinfo(body.access_token)).json()).toEqual({
      sub: `google-${createHash("sha256").update("nora@example.com").digest("hex").slice(0, 16)}`,
      name: "Nora Newcomer",
      given_name: "Nora",
      family_name: "Newcomer",
      picture: "https://example.com/a.png",
      email: "nora@example.com",
      email_verified: true,
    });
  });

  it("lets one browser sign in as someone else next time (no sticky session)", async () => {
    const jar = new CookieJar();
    for (const [email, name] of [
      ["ada@example.com", "Ada Lovelace"],
      ["grace@example.com", "Grace Hopper"],
    ] as const) {
      const start = await jar.fetch(authorizeUrl(idp, "google", googleParams()));
      expect(start.status).toBe(303);
      const pageUrl = new URL(start.headers.get("location") ?? "", idp.origin).href;
      expect((await jar.fetch(pageUrl)).status).toBe(200);
      const submitted = await jar.fetch(pageUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ action: "continue", email }),
      });
      const final = await jar.fetch(new URL(submitted.headers.get("location") ?? "", idp.origin).href);
      expect(final.status).toBe(302);
      expect(final.headers.getSetCookie().some((c) => c.startsWith("_google_session"))).toBe(false);
      const code = locationParams(final).params.code ?? "";
      const body = (await (await exchangeCode(idp, "google", code)).json()) as { access_token: string };
      expect(await (await userinfo(body.access_token)).json()).toMatchObject({ email, name });
    }
  });

  it("re-renders the page with an error for an invalid typed email", async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(authorizeUrl(idp, "google", googleParams()));
    const pageUrl = new URL(start.headers.get("location") ?? "", idp.origin).href;
    await jar.fetch(pageUrl);
    const response = await jar.fetch(pageUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ action: "continue", email: "not-an-email" }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('role="alert"');
  });

  it("answers access_denied to the client when the page is cancelled", async () => {
    const params = googleParams();
    const { final } = await signInThroughPage(idp, "google", params, { action: "cancel" });
    expect(final.status).toBe(302);
    const { base, params: query } = locationParams(final);
    expect(base).toBe(REDIRECT_URI);
    expect(query).toEqual({ error: "access_denied", error_description: "The user denied access", state: params.state });
  });

  it("cancels without a page with login_hint=cancel or prompt_action=cancel", async () => {
    for (const extra of [{ login_hint: "cancel" }, { prompt_action: "cancel" }] as Record<string, string>[]) {
      const params = googleParams(extra);
      const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(locationParams(response).params).toEqual({
        error: "access_denied",
        error_description: "The user denied access",
        state: params.state,
      });
    }
  });

  it("rejects a wrong client secret with both client authentication methods", async () => {
    for (const method of ["post", "basic"] as const) {
      const code = await codeFor(googleParams({ login_hint: "ada@example.com" }));
      const token = await exchangeCode(idp, "google", code, { method, secret: "not-the-secret" });
      expect(token.status).toBe(401);
      expect(await token.json()).toMatchObject({ error: "invalid_client" });
    }
  });

  it("rejects an unknown redirect_uri at authorize without redirecting to it", async () => {
    const response = await fetch(
      authorizeUrl(idp, "google", googleParams({ login_hint: "ada@example.com", redirect_uri: "https://evil.example/callback" })),
      { redirect: "manual" },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("redirect_uri");
  });

  it("rejects an unknown client_id", async () => {
    const response = await fetch(
      authorizeUrl(idp, "google", googleParams({ login_hint: "ada@example.com", client_id: "someone-else" })),
      { redirect: "manual" },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("rejects a code exchanged with another redirect_uri, and a reused code", async () => {
    const code = await codeFor(googleParams({ login_hint: "ada@example.com" }));
    const mismatch = await exchangeCode(idp, "google", code, { redirectUri: "http://localhost:3000/other-callback" });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error: "invalid_grant" });

    const fresh = await codeFor(googleParams({ login_hint: "ada@example.com" }));
    expect((await exchangeCode(idp, "google", fresh)).status).toBe(200);
    const reused = await exchangeCode(idp, "google", fresh);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses userinfo without a valid access token", async () => {
    const endpoint = (await discovery(idp, "google")).userinfo_endpoint as string;
    const missing = await fetch(endpoint);
    expect(missing.status).toBe(401);
    const invalid = await userinfo("not-a-token");
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("rejects a malformed login_hint", async () => {
    const params = googleParams({ login_hint: "not an email" });
    const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(locationParams(response).params).toMatchObject({ error: "invalid_request", state: params.state });
  });

  describe("the authorization parameters apps pass through signInWithOAuth's queryParams", () => {
    const PAGE_PROMPTS = ["select_account", "consent", "select_account consent", "consent select_account"];

    async function tokensFor(code: string): Promise<Record<string, unknown>> {
      const token = await exchangeCode(idp, "google", code);
      expect(token.status).toBe(200);
      return (await token.json()) as Record<string, unknown>;
    }

    for (const prompt of PAGE_PROMPTS) {
      it(`prompt=${prompt}: the account page, naming the request, then a code for the account picked`, async () => {
        const params = googleParams({ prompt });
        const { page, final } = await signInThroughPage(idp, "google", params, { action: "continue", email: "grace@example.com" });
        expect(page).toContain(`<code>prompt=${prompt}</code>`);
        expect(page).toContain('value="ada@example.com"');
        expect(final.status).toBe(302);
        const { base, params: query } = locationParams(final);
        expect(base).toBe(REDIRECT_URI);
        expect(query.state).toBe(params.state);
        const body = await tokensFor(query.code ?? "");
        expect(await (await userinfo(body.access_token as string)).json()).toMatchObject({ email: "grace@example.com" });
      });

      it(`prompt=${prompt} with login_hint: the hint answers the page, so the code comes at once`, async () => {
        const code = await codeFor(googleParams({ prompt, login_hint: "alan@example.com" }));
        const body = await tokensFor(code);
        expect(await (await userinfo(body.access_token as string)).json()).toMatchObject({ email: "alan@example.com" });
      });
    }

    it("prompt=none without a session: login_required to the redirect_uri, no page", async () => {
      const params = googleParams({ prompt: "none" });
      const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
      expect(response.status).toBe(302);
      const { base, params: query } = locationParams(response);
      expect(base).toBe(REDIRECT_URI);
      expect(query).toEqual({ error: "login_required", error_description: "End-User authentication is required", state: params.state });
    });

    it("prompt=none with login_hint: the hint plays a browser signed in to that account, so a code", async () => {
      const code = await codeFor(googleParams({ prompt: "none", login_hint: "ada@example.com" }));
      expect((await exchangeCode(idp, "google", code)).status).toBe(200);
    });

    it.each([
      ["none consent", "prompt none must only be used alone"],
      ["none select_account", "prompt none must only be used alone"],
      ["login", "unsupported prompt value requested"],
      ["select_account login", "unsupported prompt value requested"],
      ["Consent", "unsupported prompt value requested"],
    ])("prompt=%s is invalid_request, as Google refuses it", async (prompt, description) => {
      const params = googleParams({ prompt, login_hint: "ada@example.com" });
      const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(locationParams(response).params).toEqual({ error: "invalid_request", error_description: description, state: params.state });
    });

    it("access_type=offline: a refresh token that works after the sign-in; online (the default) gives none", async () => {
      const offline = await tokensFor(await codeFor(googleParams({ access_type: "offline", login_hint: "ada@example.com" })));
      expect(typeof offline.refresh_token).toBe("string");
      const refreshed = await fetch(`${idp.issuers.google}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: offline.refresh_token as string,
          client_id: GOOGLE.clientId,
          client_secret: GOOGLE.clientSecret,
        }),
      });
      expect(refreshed.status).toBe(200);
      const again = (await refreshed.json()) as { access_token: string };
      expect(await (await userinfo(again.access_token)).json()).toMatchObject({ email: "ada@example.com" });

      for (const extra of [{ access_type: "online" }, {}] as Record<string, string>[]) {
        const online = await tokensFor(await codeFor(googleParams({ ...extra, login_hint: "ada@example.com" })));
        expect(online).not.toHaveProperty("refresh_token");
      }
    });

    it("access_type=offline with prompt=consent through the page: the refresh token too", async () => {
      const { final } = await signInThroughPage(idp, "google", googleParams({ access_type: "offline", prompt: "consent" }), {
        action: "continue",
        email: "grace@example.com",
      });
      const body = await tokensFor(locationParams(final).params.code ?? "");
      expect(typeof body.refresh_token).toBe("string");
    });

    it.each<Record<string, string>>([
      { hd: "example.com" },
      { hd: "*" },
      { include_granted_scopes: "true" },
      { include_granted_scopes: "false" },
      { hl: "fr" },
      { access_type: "offline", prompt: "consent", include_granted_scopes: "true", hd: "example.com" },
    ])("%j is accepted and changes nothing else", async (extra) => {
      const code = await codeFor(googleParams({ ...extra, login_hint: "grace@example.com" }));
      const body = await tokensFor(code);
      expect(await (await userinfo(body.access_token as string)).json()).toMatchObject({ email: "grace@example.com", name: "Grace Hopper" });
    });

    it.each([
      ["access_type", "forever"],
      ["include_granted_scopes", "yes"],
    ])("%s=%s is invalid_request, naming the parameter", async (name, value) => {
      const params = googleParams({ [name]: value, login_hint: "ada@example.com" });
      const response = await fetch(authorizeUrl(idp, "google", params), { redirect: "manual" });
      const query = locationParams(response).params;
      expect(query.error).toBe("invalid_request");
      expect(query.error_description).toContain(`Invalid parameter value for ${name}: ${value}`);
      expect(query.state).toBe(params.state);
    });
  });
});
