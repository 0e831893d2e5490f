import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ensureSecrets, generateSecrets } from "./secrets.ts";

describe("generateSecrets", () => {
  it("signs the legacy keys like the Supabase CLI's demo keys, with the generated secret", async () => {
    const secrets = await generateSecrets();
    expect(secrets.jwt_secret.length).toBeGreaterThanOrEqual(40);
    const key = new TextEncoder().encode(secrets.jwt_secret);
    for (const [token, role] of [
      [secrets.anon_key, "anon"],
      [secrets.service_role_key, "service_role"],
    ] as const) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
      const { payload } = await jwtVerify(token, key);
      expect(payload).toEqual({ iss: "supabase-demo", role, exp: 1983812996 });
    }
    expect(secrets.publishable_key).toMatch(/^sb_publishable_[A-Za-z0-9_-]{20,}$/);
    expect(secrets.secret_key).toMatch(/^sb_secret_[A-Za-z0-9_-]{20,}$/);
  });
});

describe("ensureSecrets", () => {
  it("creates the file once, mode 0600, and never replaces it", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "secrets-")), "secrets.json");
    const first = await ensureSecrets(file);
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await ensureSecrets(file);
    expect(second).toEqual({ secrets: first.secrets, created: false });
  });

  it("adds fields missing from an older file without touching the others", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "secrets-")), "secrets.json");
    const old = await generateSecrets();
    const legacy: Partial<typeof old> = { ...old };
    delete legacy.google_client_secret;
    delete legacy.apple_client_secret;
    await writeFile(file, JSON.stringify(legacy));
    const { secrets } = await ensureSecrets(file);
    expect(secrets).toMatchObject(legacy);
    expect(secrets.google_client_secret).toBeTruthy();
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(secrets);
  });
});
