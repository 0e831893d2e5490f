import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

const LOCAL = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/;
const LOCAL_DB = /^postgres(ql)?:\/\/[^@]*@(127\.0\.0\.1|localhost)(:\d+)?\//;

/**
 * Loads the local stack's .env.local into process.env for tests that run lib/ code against the live stack,
 * and refuses anything but loopback URLs: a test must never touch a hosted project.
 */
export function loadLocalStackEnv(root = process.cwd()): void {
  const file = join(root, ".env.local");
  if (!existsSync(file)) throw new Error("no .env.local: start the local stack first (`npm run stack -- start`)");
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, "utf8")))) {
    if (value !== undefined) process.env[key] = value;
  }
  const url = process.env.NEXT_PUBLIC_SUPABASE_URL ?? "";
  if (!LOCAL.test(url)) throw new Error(`refusing to test against a non-local Supabase URL: ${url}`);
  if (!LOCAL_DB.test(process.env.DATABASE_URL ?? "")) throw new Error("refusing to test against a non-local DATABASE_URL");
}
