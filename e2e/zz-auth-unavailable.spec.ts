import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { appCookie, encodeSession, sessionCookieName, sessionOf, signIn, uniqueEmail } from "./support";

function stopAuthServer(): void {
  const pid = Number(readFileSync(".stack/run/auth.pid", "utf8").trim());
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
      execFileSync("sleep", ["0.1"]);
    } catch {
      return;
    }
  }
  throw new Error("the Auth server did not stop");
}

function startStack(): void {
  execFileSync(process.execPath, ["stack/cli.ts", "start"], { stdio: "pipe" });
}

test("Auth server stopped: sign-in shows the unavailable page, nobody is signed out; after a restart the session works", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail("down");
  await signIn(page, "google", { email, name: "Down Time" });
  await expect(page.getByTestId("account-name")).toHaveText("Down Time");
  const cookiesBefore = (await page.context().cookies()).filter((c) => c.name.startsWith("sb-"));

  stopAuthServer();
  try {
    // A fresh access token is verified locally: the signed-in page keeps working.
    await page.goto("/account");
    await expect(page.getByTestId("account-name")).toHaveText("Down Time");

    const other = await browser.newContext();
    const visitor = await other.newPage();
    await visitor.goto("/login");
    await visitor.getByRole("button", { name: "Continue with Google" }).click();
    await expect(visitor).toHaveURL(/\/unavailable$/);
    await expect(visitor.getByRole("heading", { name: "Sign-in is temporarily unavailable" })).toBeVisible();
    await other.close();

    const cookiesDuring = (await page.context().cookies()).filter((c) => c.name.startsWith("sb-"));
    expect(cookiesDuring.map((c) => [c.name, c.value])).toEqual(cookiesBefore.map((c) => [c.name, c.value]));
  } finally {
    startStack();
  }

  await page.goto("/account");
  await expect(page.getByTestId("account-name")).toHaveText("Down Time");
  await expect(page.getByTestId("account-email")).toHaveText(email);
});

test("Auth server stopped when a refresh is needed: a 503 page with a retry link, cookies untouched; after a restart the same cookies work", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("down-refresh");
  await signIn(page, "google", { email, name: "Refresh Needed" });
  await expect(page.getByTestId("account-name")).toHaveText("Refresh Needed");
  // The access token is treated as expired (expires_at in the past): the next request must refresh it.
  const { session } = await sessionOf(context);
  await context.addCookies([appCookie(sessionCookieName(), encodeSession({ ...session, expires_at: Math.floor(Date.now() / 1000) - 30 }))]);
  const cookiesBefore = (await context.cookies()).filter((c) => c.name.startsWith("sb-")).map((c) => [c.name, c.value]);

  stopAuthServer();
  try {
    const response = await page.goto("/account");
    expect(response?.status()).toBe(503);
    expect(response?.headers()["retry-after"]).toBeTruthy();
    expect(response?.headers()["cache-control"]).toContain("no-store");
    expect(await response?.headerValue("set-cookie")).toBeNull();
    await expect(page.getByRole("heading", { name: "Temporarily unavailable" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Try again" })).toBeVisible();
    await expect(page.getByText("You are still signed in")).toBeVisible();
    expect(page.url()).toBe("http://localhost:3000/account");
    expect((await context.cookies()).filter((c) => c.name.startsWith("sb-")).map((c) => [c.name, c.value])).toEqual(cookiesBefore);
  } finally {
    startStack();
  }

  await page.getByRole("link", { name: "Try again" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Refresh Needed");
  await expect(page.getByTestId("account-email")).toHaveText(email);
  const after = (await sessionOf(context)).session;
  expect(after.refresh_token).not.toBe(session.refresh_token);
  expect(after.expires_at * 1000).toBeGreaterThan(Date.now());
});
