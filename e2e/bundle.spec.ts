import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { localEnv } from "./support";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("no secret key reaches the browser bundle (.next/static)", () => {
  const env = localEnv();
  const secrets = [env.SUPABASE_SERVICE_ROLE_KEY, env.SUPABASE_SECRET_KEY].filter((s): s is string => !!s);
  expect(secrets).toHaveLength(2);
  const all = files(".next/static");
  expect(all.length).toBeGreaterThan(0);
  for (const file of all) {
    const text = readFileSync(file, "utf8");
    for (const secret of secrets) expect(text.includes(secret), file).toBe(false);
    expect(text.includes("SUPABASE_SERVICE_ROLE_KEY"), file).toBe(false);
  }
});
