import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("the local Auth server's safety rails", () => {
  it("refuses to start with NODE_ENV=production", () => {
    const run = spawnSync(process.execPath, ["stack/auth/main.ts"], {
      env: { ...process.env, NODE_ENV: "production" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("development and tests only");
  });

  it("refuses to listen on a non-loopback address", () => {
    const dir = mkdtempSync(join(tmpdir(), "auth-main-"));
    writeFileSync(join(dir, "config.toml"), '[auth]\nsite_url = "http://localhost:3000"\n');
    writeFileSync(
      join(dir, "secrets.json"),
      JSON.stringify({
        jwt_secret: "x".repeat(40),
        anon_key: "anon",
        service_role_key: "service",
        publishable_key: "sb_publishable_x",
        secret_key: "sb_secret_x",
      }),
    );
    const run = spawnSync(process.execPath, ["stack/auth/main.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "development",
        AUTH_HOST: "0.0.0.0",
        AUTH_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
        AUTH_CONFIG_FILE: join(dir, "config.toml"),
        AUTH_SECRETS_FILE: join(dir, "secrets.json"),
        AUTH_KEYS_FILE: join(dir, "keys.json"),
      },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("listens on loopback only");
  });
});
