import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn, uniqueEmail } from "./support";

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
