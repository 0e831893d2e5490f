import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { APP_ORIGIN, sessionCookieName, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// Delete account end to end: the real app (production build), the local Auth server and the Google
// emulator, Postgres. The only thing changed behind the app's back is the age of a sign-in, to show the
// step-up refusal.

async function footprint(userId: string): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>>(
    `select
       (select count(*)::int from auth.users where id = $1::uuid) as users,
       (select count(*)::int from auth.sessions where user_id = $1::uuid) as sessions,
       (select count(*)::int from auth.identities where user_id = $1::uuid) as identities,
       (select count(*)::int from public.profiles where id = $1::uuid) as profiles,
       (select count(*)::int from public.user_roles where user_id = $1::uuid) as user_roles,
       (select count(*)::int from public.audit_events where target_user_id = $1::uuid and action = 'account.delete') as deletion_rows`,
    [userId],
  );
  if (!row) throw new Error("no footprint");
  return row;
}

/** Makes every sign-in of the user `minutes` older, as if they had signed in that long ago. */
async function ageSignIns(userId: string, minutes: number): Promise<void> {
  await sql(
    `update auth.mfa_amr_claims set updated_at = now() - make_interval(mins => $2::int)
     where session_id in (select id from auth.sessions where user_id = $1::uuid)`,
    [userId, minutes],
  );
}

const confirmation = (page: Page) => page.getByRole("textbox", { name: "Type DELETE to confirm" });

test("delete the account: signed out onto the goodbye page; signing in again with Google creates a fresh account, the old data is gone", async ({ page, context }) => {
  const email = uniqueEmail("delete-me");
  await signIn(page, "google", { email, name: "Departing User" }, { next: "/account/delete" });
  const oldId = await userIdByEmail(email);
  const saved = await page.request.post("/api/account/profile", { headers: { origin: APP_ORIGIN }, data: { displayName: "Old Data Name" } });
  expect(saved.status()).toBe(200);

  await expect(page.getByRole("heading", { level: 1, name: "Delete account" })).toBeVisible();
  await expect(page.getByTestId("step-up-prompt")).toHaveCount(0);
  expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical"))).toEqual([]);

  // The wrong word first: an inline error, nothing deleted.
  await confirmation(page).fill("delete");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByText("Type DELETE in capital letters to confirm")).toBeVisible();
  await expect(confirmation(page)).toHaveAttribute("aria-invalid", "true");
  expect((await footprint(oldId)).users).toBe(1);

  // Keyboard only: type the word and press Enter.
  await confirmation(page).focus();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("DELETE");
  await page.keyboard.press("Enter");
  await page.waitForURL("**/goodbye");
  await expect(page.getByRole("heading", { level: 1, name: "Your account has been deleted" })).toBeVisible();

  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.name.startsWith(sessionCookieName()) && c.value !== "")).toEqual([]);
  expect(await footprint(oldId)).toEqual({ users: 0, sessions: 0, identities: 0, profiles: 0, user_roles: 0, deletion_rows: 1 });
  const [audit] = await sql<{ row: string }>(
    "select row_to_json(e)::text as row from public.audit_events e where target_user_id = $1::uuid and action = 'account.delete'",
    [oldId],
  );
  expect(audit?.row).not.toContain(email);
  expect(audit?.row).not.toMatch(/Departing|Old Data Name|"ip":"/);

  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);

  // The same Google identity again: a new account, none of the old data.
  await signIn(page, "google", { email, name: "Departing User" });
  const newId = await userIdByEmail(email);
  expect(newId).not.toBe(oldId);
  await expect(page.getByTestId("account-name")).toHaveText("Departing User");
  const [profile] = await sql<{ display_name: string | null }>("select display_name from public.profiles where id = $1::uuid", [newId]);
  expect(profile?.display_name).toBe("Departing User");
  expect((await footprint(oldId)).users).toBe(0);
});

test("without a recent sign-in the deletion is refused; a fresh Google sign-in brings the person back and then it works", async ({ page }) => {
  const email = uniqueEmail("delete-stale");
  await signIn(page, "google", { email, name: "Stale Session" }, { next: "/account/delete" });
  const id = await userIdByEmail(email);
  await ageSignIns(id, 11);

  await page.reload();
  const prompt = page.getByTestId("step-up-prompt");
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText("sign-in from the last 10 minutes");

  // The button is not hidden: the server refuses.
  await confirmation(page).fill("DELETE");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByTestId("delete-alert")).toContainText("Confirm it's you");
  expect(await footprint(id)).toMatchObject({ users: 1, profiles: 1, deletion_rows: 0 });

  // The API says the same to a direct call.
  const direct = await page.request.post("/api/account/delete", { headers: { origin: APP_ORIGIN }, data: { confirmation: "DELETE" } });
  expect(direct.status()).toBe(403);
  expect(await direct.json()).toMatchObject({ ok: false, error: { code: "step_up_required", requirement: "recent_sign_in" } });
  expect((await footprint(id)).users).toBe(1);

  // Re-authenticate: the Google emulator's page, then back to the deletion page, prompt gone.
  await prompt.getByRole("button", { name: "Sign in again with Google" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Google");
  await page.locator("#email").fill(email);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && url.pathname === "/account/delete");
  await expect(page.getByTestId("step-up-prompt")).toHaveCount(0);
  expect(await userIdByEmail(email)).toBe(id);

  await confirmation(page).fill("DELETE");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.waitForURL("**/goodbye");
  expect(await footprint(id)).toMatchObject({ users: 0, sessions: 0, deletion_rows: 1 });
});

test("POST /api/account/delete: every malformed request is a 4xx with a clear message, never a 5xx, and nothing is deleted", async ({ playwright }) => {
  const ctx = await playwright.request.newContext();
  try {
    const email = uniqueEmail("delete-fuzz");
    await signInByRequest(ctx, { email });
    const id = await userIdByEmail(email);
    const url = `${APP_ORIGIN}/api/account/delete`;
    const headers = { origin: APP_ORIGIN };
    const cases: { name: string; send: () => Promise<import("@playwright/test").APIResponse>; status: number; message: RegExp }[] = [
      { name: "no body", send: () => ctx.post(url, { headers: { ...headers, "content-type": "application/json" } }), status: 400, message: /Send a JSON body/ },
      { name: "text/plain", send: () => ctx.post(url, { headers: { ...headers, "content-type": "text/plain" }, data: Buffer.from('{"confirmation":"DELETE"}') }), status: 415, message: /application\/json/ },
      { name: "form post", send: () => ctx.post(url, { headers, form: { confirmation: "DELETE" } }), status: 415, message: /application\/json/ },
      { name: "invalid JSON", send: () => ctx.post(url, { headers: { ...headers, "content-type": "application/json" }, data: Buffer.from('{"confirmation":') }), status: 400, message: /not valid JSON/ },
      { name: "invalid UTF-8", send: () => ctx.post(url, { headers: { ...headers, "content-type": "application/json" }, data: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) }), status: 400, message: /UTF-8/ },
      { name: "an array", send: () => ctx.post(url, { headers, data: [] }), status: 400, message: /Send a JSON object/ },
      { name: "unknown field", send: () => ctx.post(url, { headers, data: { confirmation: "DELETE", userId: "00000000-0000-4000-8000-000000000000" } }), status: 400, message: /Unknown field: userId/ },
      { name: "wrong word", send: () => ctx.post(url, { headers, data: { confirmation: "yes" } }), status: 400, message: /Type DELETE/ },
      { name: "control characters", send: () => ctx.post(url, { headers, data: { confirmation: "DELETE\u0007" } }), status: 400, message: /control characters/ },
      { name: "over-long", send: () => ctx.post(url, { headers, data: { confirmation: "DELETE".repeat(20) } }), status: 400, message: /at most 64/ },
      { name: "over 16 KiB", send: () => ctx.post(url, { headers, data: { confirmation: "x".repeat(20_000) } }), status: 413, message: /larger than/ },
      { name: "cross-origin", send: () => ctx.post(url, { headers: { origin: "https://evil.example" }, data: { confirmation: "DELETE" } }), status: 403, message: /Cross-origin/ },
    ];
    for (const c of cases) {
      const res = await c.send();
      expect(res.status(), c.name).toBe(c.status);
      const body = (await res.json()) as { ok: boolean; error: { message: string } };
      expect(body.ok, c.name).toBe(false);
      expect(body.error.message, c.name).toMatch(c.message);
    }
    expect(await footprint(id)).toMatchObject({ users: 1, profiles: 1, deletion_rows: 0 });
    const get = await ctx.get(url);
    expect(get.status()).toBe(405);
  } finally {
    await ctx.dispose();
  }
});
