import { expect, test } from "@playwright/test";
import { APP_ORIGIN, sessionOf, signIn, signInByRequest, sql, uniqueEmail } from "./support";

test("the display name form saves through the route handler and the page shows it", async ({ page }) => {
  const email = uniqueEmail("name");
  await signIn(page, "google", { email, name: "Old Name" });
  await expect(page.getByTestId("account-name")).toHaveText("Old Name");

  await page.getByRole("textbox", { name: "Display name" }).fill("New Name");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("display-name-saved")).toBeVisible();
  await expect(page.getByTestId("account-name")).toHaveText("New Name");

  const me = await page.request.get("/api/me");
  expect(me.status()).toBe(200);
  const body = (await me.json()) as { ok: boolean; user: { email: string }; profile: { displayName: string } };
  expect(body.user.email).toBe(email);
  expect(body.profile.displayName).toBe("New Name");
});

test("bad display names are refused with a clear message and nothing is saved", async ({ page }) => {
  await signIn(page, "google", { email: uniqueEmail("badname"), name: "Kept Name" });
  for (const bad of ["   ", "x".repeat(81)]) {
    const res = await page.request.post("/api/account/profile", {
      headers: { origin: APP_ORIGIN },
      data: { displayName: bad },
    });
    expect(res.status()).toBe(400);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.message.length).toBeGreaterThan(0);
  }
  const notJson = await page.request.post("/api/account/profile", {
    headers: { origin: APP_ORIGIN, "content-type": "application/json" },
    data: "{not json",
  });
  expect(notJson.status()).toBe(400);
  await page.reload();
  await expect(page.getByTestId("account-name")).toHaveText("Kept Name");
});

test("the API answers 401 JSON without a session, and clears the cookies of a revoked one", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const none = await anonymous.get("/api/me");
  expect(none.status()).toBe(401);
  expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  await anonymous.dispose();

  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const email = uniqueEmail("revapi");
  await signInByRequest(ctx, { email, name: "Revoked Api" });
  expect((await ctx.get("/api/me")).status()).toBe(200);
  const { session } = await sessionOf(ctx);
  const claims = JSON.parse(Buffer.from(session.access_token.split(".")[1] ?? "", "base64url").toString()) as { session_id: string };
  await sql("delete from auth.sessions where id = $1", [claims.session_id]);
  const revoked = await ctx.get("/api/me");
  expect(revoked.status()).toBe(401);
  const text = await revoked.text();
  expect(text).not.toContain(email);
  const cleared = revoked.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie" && /^sb-[^=]+-auth-token=;/.test(h.value));
  expect(cleared.length).toBeGreaterThan(0);
  await ctx.dispose();
});
