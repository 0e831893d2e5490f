import { createHash, randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { chromium } from "@playwright/test";

/**
 * `npm run screenshots`: the README's pictures of the sign-in page and the emulated Google consent page.
 * Needs the app (SCREENSHOT_APP_URL, default http://localhost:3000) and the local stack running.
 */
const appUrl = process.env.SCREENSHOT_APP_URL ?? "http://localhost:3000";
const authUrl = process.env.SCREENSHOT_AUTH_URL ?? "http://127.0.0.1:54321/auth/v1";
const out = "docs/screenshots";

await mkdir(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 640 }, deviceScaleFactor: 1 });
  await page.goto(`${appUrl}/login`);
  await page.getByRole("button", { name: "Continue with Google" }).waitFor();
  await page.screenshot({ path: `${out}/login.png` });

  // The consent page, reached as the Auth server sends a browser there (a PKCE authorize request).
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = new URL(`${authUrl}/authorize`);
  authorize.search = new URLSearchParams({
    provider: "google",
    redirect_to: `${appUrl}/auth/callback`,
    code_challenge: challenge,
    code_challenge_method: "s256",
  }).toString();
  await page.goto(authorize.toString());
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.screenshot({ path: `${out}/google-consent.png` });
  console.log(`Wrote ${out}/login.png and ${out}/google-consent.png`);
} finally {
  await browser.close();
}
