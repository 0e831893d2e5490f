import { createHash } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPLE,
  appleParams,
  authorizeUrl,
  discovery,
  exchangeCode,
  googleParams,
  locationParams,
  parseAutoPostForm,
  REDIRECT_URI,
  signInThroughPage,
  startTestIdp,
  type TestIdp,
} from "./test-support.ts";

let idp: TestIdp;
/** Configured like the contract recording: no seeded people, fixed names "Spike User" (Google) and "Spike Apple". */
let contractIdp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp();
  contractIdp = await startTestIdp({ identities: [], defaultNames: { google: "Spike User", apple: "Spike Apple" } });
});

afterAll(async () => {
  await idp.remove();
  await contractIdp.remove();
});

function appleSub(email: string): string {
  return `apple-${createHash("sha256").update(email).digest("hex").slice(0, 16)}`;
}

async function authorize(target: TestIdp, params: Record<string, string>): Promise<{ response: Response; html: string }> {
  const response = await fetch(authorizeUrl(target, "apple", params), { redirect: "manual" });
  return { response, html: await response.text() };
}

describe("Apple emulator", () => {
  it("publishes discovery without a userinfo endpoint", async () => {
    const meta = await discovery(idp, "apple");
    expect(meta.issuer).toBe(idp.issuers.apple);
    expect(meta.token_endpoint).toBe(`${idp.issuers.apple}/token`);
    expect(meta.jwks_uri).toBe(`${idp.issuers.apple}/jwks`);
    expect(meta).not.toHaveProperty("userinfo_endpoint");
    expect(meta.response_modes_supported).toContain("form_post");
  });

  it("posts the user JSON on the first authorization only, exactly like the recording", async () => {
    const first = appleParams({ login_hint: "grace@example.com" });
    const { response, html } = await authorize(contractIdp, first);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html");
    expect(response.headers.getSetCookie()).toEqual([]);
    const form = parseAutoPostForm(html);
    expect(form.action).toBe(REDIRECT_URI);
    expect(Object.keys(form.fields)).toEqual(["code", "state", "user"]);
    expect(form.fields.state).toBe(first.state);
    expect(form.fields.user).toBe('{"name":{"firstName":"Spike","lastName":"Apple"},"email":"grace@example.com"}');
    expect(html).toBe(
      `<form method=post action="${REDIRECT_URI}"><input name=code value="${form.fields.code}">` +
        `<input name=state value="${first.state}">` +
        `<input name=user value='{"name":{"firstName":"Spike","lastName":"Apple"},"email":"grace@example.com"}'>` +
        `</form><script>document.forms[0].submit()</script>`,
    );

    const second = appleParams({ login_hint: "grace@example.com" });
    const again = parseAutoPostForm((await authorize(contractIdp, second)).html);
    expect(Object.keys(again.fields)).toEqual(["code", "state"]);
    expect(again.fields.state).toBe(second.state);
    expect(again.fields.code).not.toBe(form.fields.code);
  });

  it("uses the seeded name for a seeded person", async () => {
    const { html } = await authorize(idp, appleParams({ login_hint: "ada@example.com" }));
    expect(JSON.parse(parseAutoPostForm(html).fields.user ?? "null")).toEqual({
      name: { firstName: "Ada", lastName: "Lovelace" },
      email: "ada@example.com",
    });
  });

  it("issues an ID token verifiable with the JWKS and carrying Apple's claims", async () => {
    const params = appleParams({ login_hint: "alan@example.com", nonce: "apple-nonce" });
    const form = parseAutoPostForm((await authorize(idp, params)).html);
    const token = await exchangeCode(idp, "apple", form.fields.code ?? "", { method: "post" });
    expect(token.status).toBe(200);
    const body = (await token.json()) as Record<string, unknown>;
    expect(typeof body.access_token).toBe("string");
    expect(body.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "apple")).jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(body.id_token as string, jwks, {
      issuer: idp.issuers.apple,
      audience: APPLE.clientId,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      iss: idp.issuers.apple,
      aud: APPLE.clientId,
      sub: appleSub("alan@example.com"),
      email: "alan@example.com",
      email_verified: true,
      is_private_email: false,
      nonce_supported: true,
      nonce: "apple-nonce",
    });
    expect(typeof payload.auth_time).toBe("number");
    expect(typeof payload.iat).toBe("number");
    expect(payload.exp).toBeGreaterThan(payload.iat ?? 0);
    for (const claim of ["name", "given_name", "family_name", "firstName", "picture"]) {
      expect(payload).not.toHaveProperty(claim);
    }
  });

  it("accepts client_secret_basic, omits nonce when not sent, and rejects a wrong secret", async () => {
    const form = parseAutoPostForm((await authorize(idp, appleParams({ login_hint: "grace@example.com" }))).html);
    const token = await exchangeCode(idp, "apple", form.fields.code ?? "", { method: "basic" });
    expect(token.status).toBe(200);
    const { id_token } = (await token.json()) as { id_token: string };
    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "apple")).jwks_uri as string));
    const { payload } = await jwtVerify(id_token, jwks, { issuer: idp.issuers.apple, audience: APPLE.clientId });
    expect(payload).not.toHaveProperty("nonce");
    expect(payload.sub).toBe(appleSub("grace@example.com"));

    const other = parseAutoPostForm((await authorize(idp, appleParams({ login_hint: "grace@example.com" }))).html);
    const wrong = await exchangeCode(idp, "apple", other.fields.code ?? "", { secret: "wrong" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
  });

  it("accepts the authorization request as a form POST too", async () => {
    const params = appleParams({ login_hint: "ada@example.com", nonce: "posted" });
    const response = await fetch(`${idp.issuers.apple}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params),
      redirect: "manual",
    });
    expect(response.status).toBe(200);
    const form = parseAutoPostForm(await response.text());
    expect(form.fields.state).toBe(params.state);
    const { id_token } = (await (await exchangeCode(idp, "apple", form.fields.code ?? "")).json()) as { id_token: string };
    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "apple")).jwks_uri as string));
    const { payload } = await jwtVerify(id_token, jwks, { issuer: idp.issuers.apple, audience: APPLE.clientId });
    expect(payload).toMatchObject({ sub: appleSub("ada@example.com"), nonce: "posted" });
  });

  it("marks private relay addresses", async () => {
    const email = "x1y2z3@privaterelay.appleid.com";
    const form = parseAutoPostForm((await authorize(idp, appleParams({ login_hint: email }))).html);
    const { id_token } = (await (await exchangeCode(idp, "apple", form.fields.code ?? "")).json()) as { id_token: string };
    const jwks = createRemoteJWKSet(new URL((await discovery(idp, "apple")).jwks_uri as string));
    const { payload } = await jwtVerify(id_token, jwks, { issuer: idp.issuers.apple, audience: APPLE.clientId });
    expect(payload.is_private_email).toBe(true);
  });

  it("signs with its own key: a Google ID token does not verify against Apple's JWKS", async () => {
    const google = await fetch(
      authorizeUrl(idp, "google", googleParams({ login_hint: "ada@example.com", scope: "openid email" })),
      { redirect: "manual" },
    );
    const code = locationParams(google).params.code ?? "";
    const { id_token } = (await (await exchangeCode(idp, "google", code)).json()) as { id_token: string };
    const appleJwks = createRemoteJWKSet(new URL((await discovery(idp, "apple")).jwks_uri as string));
    await expect(jwtVerify(id_token, appleJwks)).rejects.toThrow();
  });

  it("answers user_cancelled_authorize by form_post for login_hint=cancel", async () => {
    const params = appleParams({ login_hint: "cancel" });
    const { response, html } = await authorize(idp, params);
    expect(response.status).toBe(200);
    const form = parseAutoPostForm(html);
    expect(form.action).toBe(REDIRECT_URI);
    expect(form.fields).toEqual({ error: "user_cancelled_authorize", state: params.state });
  });

  it("signs in a typed identity from the consent page and splits the typed name", async () => {
    const params = appleParams();
    const { page, final } = await signInThroughPage(idp, "apple", params, {
      action: "continue",
      email: "ada.byron@example.net",
      name: "Ada Byron King",
    });
    expect(page).toContain("<title>Sign in with Apple (emulator)</title>");
    expect(final.status).toBe(200);
    const form = parseAutoPostForm(await final.text());
    expect(form.action).toBe(REDIRECT_URI);
    expect(form.fields.state).toBe(params.state);
    expect(JSON.parse(form.fields.user ?? "null")).toEqual({
      name: { firstName: "Ada", lastName: "Byron King" },
      email: "ada.byron@example.net",
    });
    const token = await exchangeCode(idp, "apple", form.fields.code ?? "");
    expect(token.status).toBe(200);
  });

  it("answers user_cancelled_authorize by form_post when the page is cancelled", async () => {
    const params = appleParams();
    const { final } = await signInThroughPage(idp, "apple", params, { action: "cancel" });
    expect(final.status).toBe(200);
    expect(parseAutoPostForm(await final.text()).fields).toEqual({ error: "user_cancelled_authorize", state: params.state });
  });

  it("rejects an unknown redirect_uri without posting to it", async () => {
    const { response, html } = await authorize(
      idp,
      appleParams({ login_hint: "grace@example.com", redirect_uri: "https://evil.example/callback" }),
    );
    expect(response.status).toBe(400);
    expect(html).not.toContain("evil.example");
    expect(html).not.toContain("<form");
  });

  describe("parameters Apple does not read are ignored, not refused", () => {
    const IGNORED: Record<string, string>[] = [
      { prompt: "none" },
      { prompt: "consent" },
      { prompt: "select_account" },
      { prompt: "select_account consent" },
      { prompt: "login" },
      { prompt: "none consent" },
      { max_age: "0" },
      { access_type: "offline" },
      { access_type: "forever" },
      { hd: "example.com" },
      { include_granted_scopes: "yes" },
      { redirect_to: "http://localhost:3000/auth/callback" },
    ];

    it.each(IGNORED)("%j with login_hint: the code by form_post at once", async (extra) => {
      const params = appleParams({ ...extra, login_hint: "alan@example.com" });
      const { response, html } = await authorize(idp, params);
      expect(response.status).toBe(200);
      const form = parseAutoPostForm(html);
      expect(form.action).toBe(REDIRECT_URI);
      expect(form.fields.state).toBe(params.state);
      expect(form.fields.code).toMatch(/^[\w-]{20,}$/);
      const token = await exchangeCode(idp, "apple", form.fields.code ?? "");
      expect(token.status).toBe(200);
      expect(await token.json()).not.toHaveProperty("refresh_token");
    });

    it("prompt=none without login_hint still shows the page (Apple has no silent sign-in to refuse)", async () => {
      const params = appleParams({ prompt: "none" });
      const { page, final } = await signInThroughPage(idp, "apple", params, { action: "continue", email: "grace@example.com" });
      expect(page).not.toContain("prompt=");
      expect(parseAutoPostForm(await final.text()).fields.state).toBe(params.state);
    });
  });
});
