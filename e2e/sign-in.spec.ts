import { expect, test } from "@playwright/test";
import { signIn, uniqueEmail } from "./support";

test("Continue with Google: consent page, then /account shows the person", async ({ page }) => {
  const email = uniqueEmail("g");
  await signIn(page, "google", { email, name: "Grace Google" });
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Grace Google");
  await expect(page.getByTestId("account-email")).toHaveText(email);
  await expect(page.getByTestId("account-provider")).toHaveText("Google");
});

test("Continue with a seeded Google identity picked on the consent page", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await page.getByRole("button", { name: /Ada Lovelace/ }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Ada Lovelace");
  await expect(page.getByTestId("account-email")).toHaveText("ada@example.com");
});

test("Continue with Apple (form_post); a second sign-in still shows the name Apple sent only once", async ({ page }) => {
  const email = uniqueEmail("a");
  await signIn(page, "apple", { email, name: "Ada Apple" });
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Ada Apple");
  await expect(page.getByTestId("account-provider")).toHaveText("Apple");

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, "apple", { email });
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Ada Apple");
  await expect(page.getByTestId("account-email")).toHaveText(email);
});

test("sign out: /account then redirects to /login", async ({ page }) => {
  await signIn(page, "google", { email: uniqueEmail("out"), name: "Sign Out" });
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)account$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("/account without a session redirects to /login?next=/account", async ({ page }) => {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)account$/);
});

test("cancel at the emulator: back on /login with a clear message", async ({ page }) => {
  for (const provider of ["Google", "Apple"] as const) {
    await page.goto("/login");
    await page.getByRole("button", { name: `Continue with ${provider}` }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page).toHaveURL(/\/login\?error=cancelled/);
    await expect(page.getByTestId("login-message")).toContainText("Sign-in was cancelled");
  }
});

test("a forged code at /auth/callback: /login with a clear message, never an error page", async ({ page }) => {
  const response = await page.goto("/auth/callback?code=6f1c1a55-1a2b-4c3d-9e8f-001122334455");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/login\?error=failed/);
  await expect(page.getByTestId("login-message")).toContainText("couldn't sign you in");
  const garbage = await page.goto("/auth/callback?code=%00%22%3Cscript%3E");
  expect(garbage?.status()).toBe(200);
  await expect(page.getByTestId("login-message")).toBeVisible();
});
