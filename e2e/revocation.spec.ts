import { execFileSync } from "node:child_process";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { decodeJwt, sessionCookieName, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

function grantRole(email: string, role: "user" | "admin"): void {
  execFileSync(process.execPath, ["scripts/grant-role.ts", email, role], { stdio: "pipe" });
}

// Supabase access tokens stay valid until they expire (10 minutes here). Each test below revokes a session
// (or a role) while the access token has minutes left, and the very next request must already be denied.

async function accessTokenSecondsLeft(context: BrowserContext): Promise<number> {
  const { session } = await sessionOf(context);
  return decodeJwt(session.access_token).payload.exp - Math.floor(Date.now() / 1000);
}

async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((c) => c.name === sessionCookieName());
}

/** The next request to /account lands on /login with `message`, and the dead session's cookie is gone. */
async function expectSignedOutOnNextRequest(page: Page, reason: "session_expired" | "banned", message: RegExp, who: { email: string; name: string }) {
  const response = await page.goto("/account");
  await expect(page).toHaveURL(new RegExp(`/login\\?reason=${reason}&next=%2Faccount$`));
  await expect(page.getByTestId("login-message")).toHaveText(message);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  const html = (await response?.text()) ?? "";
  expect(html).not.toContain(who.email);
  expect(html).not.toContain(who.name);
  expect(await hasSessionCookie(page.context())).toBe(false);
}

test("sign out of all devices in one browser signs the other browser out on its next request", async ({ browser }) => {
  const who = { email: uniqueEmail("rev-all"), name: "Riley Everywhere" };
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  try {
    const a = await laptop.newPage();
    const b = await phone.newPage();
    await signIn(a, "google", who);
    await signIn(b, "google", who);
    await expect(a.getByTestId("account-name")).toHaveText(who.name);
    await expect(b.getByTestId("account-name")).toHaveText(who.name);
    const sessionA = decodeJwt((await sessionOf(laptop)).session.access_token).payload.session_id;
    const sessionB = decodeJwt((await sessionOf(phone)).session.access_token).payload.session_id;
    expect(sessionA).not.toBe(sessionB);

    await a.getByRole("button", { name: "Sign out of all devices" }).click();
    await expect(a).toHaveURL(/\/login\?signed_out=1$/);
    await expect(a.getByTestId("login-message")).toHaveText("You have been signed out.");

    expect(await accessTokenSecondsLeft(phone)).toBeGreaterThan(60);
    await expectSignedOutOnNextRequest(b, "session_expired", /Your session has ended/, who);
    const rows = await sql("select 1 from auth.sessions where user_id = $1::uuid", [await userIdByEmail(who.email)]);
    expect(rows).toHaveLength(0);
  } finally {
    await laptop.close();
    await phone.close();
  }
});

test("sign out of this device leaves the user's other browser signed in", async ({ browser }) => {
  const who = { email: uniqueEmail("rev-local"), name: "Lou Local" };
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  try {
    const a = await laptop.newPage();
    const b = await phone.newPage();
    await signIn(a, "google", who);
    await signIn(b, "google", who);
    await a.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(a).toHaveURL(/\/login\?signed_out=1$/);
    await a.goto("/account");
    await expect(a).toHaveURL(/\/login\?next=(%2F|\/)account$/);

    await b.goto("/account");
    await expect(b.getByTestId("account-name")).toHaveText(who.name);
  } finally {
    await laptop.close();
    await phone.close();
  }
});

test("deleting the user's auth.sessions rows (as the admin API does) denies the next request", async ({ page, context }) => {
  const who = { email: uniqueEmail("rev-del"), name: "Dee Leted" };
  await signIn(page, "google", who);
  await expect(page.getByTestId("account-name")).toHaveText(who.name);

  const deleted = await sql("delete from auth.sessions where user_id = $1::uuid returning id", [await userIdByEmail(who.email)]);
  expect(deleted).toHaveLength(1);
  expect(await accessTokenSecondsLeft(context)).toBeGreaterThan(60);
  await expectSignedOutOnNextRequest(page, "session_expired", /Your session has ended/, who);
});

test("a session whose refresh tokens were revoked (reuse detection) is signed out on its next request", async ({ page, context }) => {
  const who = { email: uniqueEmail("rev-reuse"), name: "Reese Used" };
  await signIn(page, "google", who);
  const sessionId = decodeJwt((await sessionOf(context)).session.access_token).payload.session_id as string;

  // What the Auth server does on reuse detection: every refresh token of the session is revoked, the row stays.
  const revoked = await sql("update auth.refresh_tokens set revoked = true where session_id = $1::uuid and not revoked returning id", [sessionId]);
  expect(revoked.length).toBeGreaterThan(0);
  expect(await sql("select 1 from auth.sessions where id = $1::uuid", [sessionId])).toHaveLength(1);
  expect(await accessTokenSecondsLeft(context)).toBeGreaterThan(60);
  await expectSignedOutOnNextRequest(page, "session_expired", /Your session has ended/, who);
});

test("a ban signs the user out on the next request with the banned message", async ({ page, context }) => {
  const who = { email: uniqueEmail("rev-ban"), name: "Bo Banned" };
  await signIn(page, "google", who);
  await expect(page.getByTestId("account-name")).toHaveText(who.name);

  await sql("update auth.users set banned_until = now() + interval '1 day' where id = $1::uuid", [await userIdByEmail(who.email)]);
  expect(await accessTokenSecondsLeft(context)).toBeGreaterThan(60);
  await expectSignedOutOnNextRequest(page, "banned", /This account is suspended/, who);
});

test("a demoted admin is denied /admin on the next request without signing in again", async ({ page, context, playwright }) => {
  const admin = { email: uniqueEmail("rev-admin"), name: "Ada Demoted" };
  const other = { email: uniqueEmail("rev-listed"), name: "Listed Person" };
  // Both users exist (grant-role needs a user who has signed in once); then the admin signs in afresh so
  // that the access token itself says `user_role: admin`.
  for (const who of [other, admin]) {
    const api = await playwright.request.newContext();
    await signInByRequest(api, who);
    await api.dispose();
  }
  grantRole(admin.email, "admin");
  await signIn(page, "google", admin);
  const { session } = await sessionOf(context);
  expect(decodeJwt(session.access_token).payload.user_role).toBe("admin");
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByTestId("admin-users")).toContainText(other.name);

  grantRole(admin.email, "user");
  expect(decodeJwt(session.access_token).payload.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(60);

  const response = await page.goto("/admin");
  // Without users.read the admin area answers 404: it does not reveal that it exists.
  expect(response?.status()).toBe(404);
  await expect(page).toHaveURL(/\/admin$/);
  expect((await response?.text()) ?? "").not.toContain(other.name);
  await expect(page.getByTestId("admin-users")).toHaveCount(0);

  // Still signed in with the same (admin-claiming) token — a demotion is not a sign-out — now as a user.
  await page.goto("/account");
  await expect(page.getByTestId("account-role")).toHaveText("user");
  expect((await sessionOf(context)).session.access_token).toBe(session.access_token);
});
