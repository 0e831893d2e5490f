import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readIdpEnv } from "./config.ts";
import { startIdp } from "./server.ts";
import {
  APPLE,
  appleParams,
  authorizeUrl,
  discovery,
  exchangeCode,
  GOOGLE,
  googleParams,
  locationParams,
  makeStateDir,
  parseAutoPostForm,
  REDIRECT_URI,
  startTestIdp,
  type TestIdp,
} from "./test-support.ts";

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function appleForm(target: TestIdp, email: string): Promise<Record<string, string>> {
  const response = await fetch(authorizeUrl(target, "apple", appleParams({ login_hint: email })), { redirect: "manual" });
  expect(response.status).toBe(200);
  return parseAutoPostForm(await response.text()).fields;
}

describe("emulator server", () => {
  it("listens on loopback only and answers a health check", async () => {
    const idp = await startTestIdp();
    cleanup.push(() => idp.remove());
    expect(new URL(idp.origin).hostname).toBe("127.0.0.1");
    const health = await fetch(`${idp.origin}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", issuers: idp.issuers });
    expect((await fetch(`${idp.origin}/facebook/authorize`)).status).toBe(404);
  });

  it("remembers Apple's first authorizations and its signing keys across a restart", async () => {
    const dir = await makeStateDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));

    const first = await startTestIdp({ dir });
    const fields = await appleForm(first, "restart@example.com");
    expect(JSON.parse(fields.user ?? "null")).toMatchObject({ email: "restart@example.com" });
    const { id_token } = (await (await exchangeCode(first, "apple", fields.code ?? "")).json()) as { id_token: string };
    await first.close();

    const saved = JSON.parse(await readFile(first.stateFile, "utf8")) as {
      apple_authorized: Record<string, Record<string, string>>;
    };
    expect(Object.keys(saved.apple_authorized[APPLE.clientId] ?? {})).toHaveLength(1);
    const keysFile = join(dir, "signing-keys.json");
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);

    const second = await startTestIdp({ dir });
    cleanup.push(() => second.close());
    const again = await appleForm(second, "restart@example.com");
    expect(again).not.toHaveProperty("user");
    expect(Object.keys(again)).toEqual(["code", "state"]);

    const otherUser = await appleForm(second, "someone-new@example.com");
    expect(otherUser).toHaveProperty("user");

    // The restarted emulator may listen on another port, so only the key, not the issuer, is compared.
    const jwks = createRemoteJWKSet(new URL((await discovery(second, "apple")).jwks_uri as string));
    const { payload } = await jwtVerify(id_token, jwks, { audience: APPLE.clientId });
    expect(payload.email).toBe("restart@example.com");
  });

  it("reproduces the contract recording's identities with per-provider default names", async () => {
    const idp = await startTestIdp({ identities: [], defaultNames: { google: "Spike User", apple: "Spike Apple" } });
    cleanup.push(() => idp.remove());

    const google = await fetch(authorizeUrl(idp, "google", googleParams({ login_hint: "ada@example.com" })), {
      redirect: "manual",
    });
    const code = locationParams(google).params.code ?? "";
    const { access_token } = (await (await exchangeCode(idp, "google", code)).json()) as { access_token: string };
    const info = await fetch(`${idp.issuers.google}/userinfo`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(await info.json()).toEqual({
      sub: "google-b5fc85e55755f9e0",
      name: "Spike User",
      given_name: "Spike",
      family_name: "User",
      picture: "https://example.com/a.png",
      email: "ada@example.com",
      email_verified: true,
    });

    const apple = await appleForm(idp, "grace@example.com");
    expect(apple.user).toBe('{"name":{"firstName":"Spike","lastName":"Apple"},"email":"grace@example.com"}');
  });

  it("refuses to start with NODE_ENV=production", async () => {
    vi.stubEnv("NODE_ENV", "production");
    try {
      const dir = await makeStateDir();
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      await expect(
        startIdp({
          port: 0,
          google: GOOGLE,
          apple: APPLE,
          redirectUris: [REDIRECT_URI],
          stateFile: join(dir, "state.json"),
          identities: [],
        }),
      ).rejects.toThrow(/production/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("readIdpEnv", () => {
  const base = {
    IDP_GOOGLE_CLIENT_ID: "g",
    IDP_GOOGLE_CLIENT_SECRET: "gs",
    IDP_APPLE_CLIENT_ID: "a",
    IDP_APPLE_CLIENT_SECRET: "as",
    IDP_REDIRECT_URIS: " http://127.0.0.1:54321/auth/v1/callback , http://127.0.0.1:59999/callback",
  };

  it("reads the variables with their defaults", () => {
    const env = readIdpEnv(base);
    expect(env.port).toBe(54325);
    expect(env.issuerBase).toBeUndefined();
    expect(env.redirectUris).toEqual(["http://127.0.0.1:54321/auth/v1/callback", "http://127.0.0.1:59999/callback"]);
    expect(env.stateFile.endsWith(join(".stack", "idp", "state.json"))).toBe(true);
    expect(env.identitiesFile?.endsWith(join("stack", "idp", "identities.json"))).toBe(true);
    expect(env.defaultNames).toEqual({});
  });

  it("takes an issuer base, a default name and an empty identities file", () => {
    const env = readIdpEnv({
      ...base,
      IDP_PORT: "55444",
      IDP_ISSUER_BASE: "http://127.0.0.1:55444/",
      IDP_IDENTITIES_FILE: "",
      IDP_DEFAULT_NAME: "Spike User",
      IDP_APPLE_DEFAULT_NAME: "Spike Apple",
    });
    expect(env.port).toBe(55444);
    expect(env.issuerBase).toBe("http://127.0.0.1:55444");
    expect(env.identitiesFile).toBeNull();
    expect(env.defaultNames).toEqual({ google: "Spike User", apple: "Spike Apple" });
    expect(readIdpEnv({ ...base, IDP_DEFAULT_NAME: "Spike User" }).defaultNames).toEqual({
      google: "Spike User",
      apple: "Spike User",
    });
  });

  it("rejects missing clients, bad redirect URIs and production", () => {
    expect(() => readIdpEnv({ ...base, IDP_GOOGLE_CLIENT_SECRET: "" })).toThrow(/IDP_GOOGLE_CLIENT_SECRET/);
    expect(() => readIdpEnv({ ...base, IDP_REDIRECT_URIS: "not a url" })).toThrow(/IDP_REDIRECT_URIS/);
    expect(() => readIdpEnv({ ...base, IDP_REDIRECT_URIS: "" })).toThrow(/IDP_REDIRECT_URIS/);
    expect(() => readIdpEnv({ ...base, NODE_ENV: "production" })).toThrow(/production/);
  });
});
