import { expect, test } from "@playwright/test";
import { signIn, uniqueEmail } from "./support";

// Each must land on a page of the app itself, never elsewhere.
const HOSTILE = [
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "https://evil.example",
  "http://evil.example/account",
  "https:evil.example",
  "https:/evil.example",
  "//evil.example/%2e%2e",
  "/%2F%2Fevil.example",
  "%2F%2Fevil.example",
  "/%5Cevil.example",
  "/%09/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "javascript:alert(document.domain)",
  "data:text/html,<script>alert(1)</script>",
  "@evil.example",
  "/@evil.example",
  "evil.example",
  "//localhost:3000@evil.example",
  "/.//evil.example",
  "http://localhost:3000.evil.example/account",
  "/account/../../\\evil.example",
];

test.describe("the next validator", () => {
  test("hostile next values on an authenticated redirect stay on the app", async ({ page }) => {
    await signIn(page, "google", { email: uniqueEmail("next"), name: "Next Person" });
    for (const next of HOSTILE) {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      const url = new URL(page.url());
      expect(url.origin, `next=${JSON.stringify(next)}`).toBe("http://localhost:3000");
    }
  });

  test("a hostile next through the whole OAuth flow lands on the app", async ({ page }) => {
    await signIn(page, "google", { email: uniqueEmail("next2"), name: "Flow Person" }, { next: "//evil.example/steal" });
    expect(new URL(page.url()).origin).toBe("http://localhost:3000");
  });

  test("an allowed next is honoured after sign-in", async ({ page }) => {
    await signIn(page, "apple", { email: uniqueEmail("next3"), name: "Allowed Person" }, { next: "/account?tab=profile" });
    await expect(page).toHaveURL(/\/account\?tab=profile$/);
  });
});
