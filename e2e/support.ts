import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";

/** Values from the git-ignored .env.local that `npm run stack -- start` writes; tests refuse non-local URLs. */
export function localEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(".env.local", "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  const url = env.NEXT_PUBLIC_SUPABASE_URL ?? "";
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(url)) {
    throw new Error(`e2e tests run only against a local Supabase, not ${url || "(unset)"}`);
  }
  return env;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/**
 * Signs in through the app's login page and the provider emulator's consent page, typing an identity.
 * Resolves on the page the app lands on.
 */
export async function signIn(
  page: Page,
  provider: "google" | "apple",
  who: { email: string; name?: string },
  opts: { next?: string } = {},
): Promise<void> {
  await page.goto(opts.next ? `/login?next=${encodeURIComponent(opts.next)}` : "/login");
  await page.getByRole("button", { name: provider === "google" ? "Continue with Google" : "Continue with Apple" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(provider === "google" ? "Google" : "Apple");
  await page.locator("#email").fill(who.email);
  if (who.name) await page.locator("#name").fill(who.name);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && !url.pathname.startsWith("/auth/"));
}
