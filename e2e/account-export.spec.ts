import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIResponse } from "@playwright/test";
import { APP_ORIGIN, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// Export my data end to end: the real app (production build), the local Auth server and the Google
// emulator, Postgres. The only thing changed behind the app's back is the age of a sign-in, to show the
// step-up refusal.

type ExportDocument = {
  schema_version: number;
  account: { id: string; email: string; email_provider: string | null };
  profile: { display_name: string | null } | null;
  identities: { provider: string; email: string | null }[];
  roles: string[];
  sessions: { id: string; current: boolean }[];
  security_events: { kind: string; provider: string | null }[];
  exports: { id: string }[];
  complete: boolean;
};

async function exportsOf(userId: string): Promise<{ exports: number; audit: number }> {
  const [row] = await sql<{ exports: number; audit: number }>(
    `select (select count(*)::int from public.data_exports where user_id = $1::uuid) as exports,
            (select count(*)::int from public.audit_events where target_user_id = $1::uuid and action = 'account.export') as audit`,
    [userId],
  );
  return row ?? { exports: -1, audit: -1 };
}

test("the download holds the user's rows and nobody else's; the 4th export in the hour is refused with a retry-after", async ({ page, playwright }) => {
  const other = await playwright.request.newContext();
  const bobEmail = uniqueEmail("export-bob");
  await signInByRequest(other, { email: bobEmail, name: "Bob Elsewhere" });
  const bobId = await userIdByEmail(bobEmail);
  await other.dispose();

  const email = uniqueEmail("export-alice");
  await signIn(page, "google", { email, name: "Alice Exports" }, { next: "/account/export" });
  const id = await userIdByEmail(email);
  await expect(page.getByRole("heading", { level: 1, name: "Export my data" })).toBeVisible();
  await expect(page.getByTestId("exports-left")).toContainText("3 exports are left");
  expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical"))).toEqual([]);

  // Keyboard: focus the button and press Enter; the browser saves the file.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download my data" }).focus();
  await page.keyboard.press("Enter");
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^account-export-\d{4}-\d{2}-\d{2}\.json$/);
  const text = await readFile((await download.path()) as string, "utf8");
  const doc = JSON.parse(text) as ExportDocument;
  await expect(page.getByTestId("export-status")).toContainText("Your data was downloaded");
  await expect(page.getByTestId("exports-left")).toContainText("2 exports are left");

  expect(doc.schema_version).toBe(1);
  expect(doc.complete).toBe(true);
  expect(doc.account).toEqual({ id, email, email_provider: "google" });
  expect(doc.profile?.display_name).toBe("Alice Exports");
  expect(doc.identities.map((i) => [i.provider, i.email])).toEqual([["google", email]]);
  expect(doc.roles).toEqual(["user"]);
  expect(doc.sessions.filter((s) => s.current)).toHaveLength(1);
  expect(doc.security_events.some((e) => e.kind === "signed_in" && e.provider === "google")).toBe(true);
  expect(doc.exports).toHaveLength(1);
  for (const foreign of [bobId, bobEmail, "Bob Elsewhere"]) expect(text).not.toContain(foreign);

  // The response itself: an attachment, never cached.
  const second = await page.request.post("/api/account/export", { headers: { origin: APP_ORIGIN }, data: {} });
  expect(second.status()).toBe(200);
  expect(second.headers()["content-disposition"]).toMatch(/^attachment; filename="account-export-/);
  expect(second.headers()["cache-control"]).toContain("no-store");
  expect(second.headers()["content-type"]).toContain("application/json");
  expect(((await second.json()) as ExportDocument).exports).toHaveLength(2);

  const third = await page.request.post("/api/account/export", { headers: { origin: APP_ORIGIN }, data: {} });
  expect(third.status()).toBe(200);
  await third.body();

  const fourth = await page.request.post("/api/account/export", { headers: { origin: APP_ORIGIN }, data: {} });
  expect(fourth.status()).toBe(429);
  const retryAfter = Number(fourth.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(3000);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(await fourth.json()).toMatchObject({ ok: false, error: { code: "rate_limited", retryAfter, message: expect.stringMatching(/3 times an hour/) } });

  await page.getByRole("button", { name: "Download my data" }).click();
  await expect(page.getByTestId("export-alert")).toContainText("You can export your data 3 times an hour. Try again in");
  await expect(page.getByTestId("exports-left")).toContainText("0 exports are left");
  expect(await exportsOf(id)).toEqual({ exports: 3, audit: 3 });
});

test("without a recent sign-in the export is refused, on the page and by the API, and nothing is counted", async ({ page }) => {
  const email = uniqueEmail("export-stale");
  await signIn(page, "google", { email }, { next: "/account/export" });
  const id = await userIdByEmail(email);
  await sql(
    `update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes'
     where session_id in (select id from auth.sessions where user_id = $1::uuid)`,
    [id],
  );
  await page.reload();
  await expect(page.getByTestId("step-up-prompt")).toBeVisible();
  await expect(page.getByTestId("step-up-prompt").getByRole("button", { name: "Sign in again with Google" })).toBeVisible();

  await page.getByRole("button", { name: "Download my data" }).click();
  await expect(page.getByTestId("export-alert")).toContainText("Confirm it's you");
  const direct = await page.request.post("/api/account/export", { headers: { origin: APP_ORIGIN }, data: {} });
  expect(direct.status()).toBe(403);
  expect(await direct.json()).toMatchObject({ ok: false, error: { code: "step_up_required", requirement: "recent_sign_in" } });
  expect(await exportsOf(id)).toEqual({ exports: 0, audit: 0 });
});

test("POST /api/account/export: every malformed request is a 4xx with a clear message, never a 5xx, and nothing is counted", async ({ playwright }) => {
  const ctx = await playwright.request.newContext();
  try {
    const email = uniqueEmail("export-fuzz");
    await signInByRequest(ctx, { email });
    const id = await userIdByEmail(email);
    const url = `${APP_ORIGIN}/api/account/export`;
    const headers = { origin: APP_ORIGIN };
    const json = { ...headers, "content-type": "application/json" };
    const cases: { name: string; send: () => Promise<APIResponse>; status: number; message: RegExp }[] = [
      { name: "no body", send: () => ctx.post(url, { headers: json }), status: 400, message: /Send a JSON body/ },
      { name: "text/plain", send: () => ctx.post(url, { headers: { ...headers, "content-type": "text/plain" }, data: Buffer.from("{}") }), status: 415, message: /application\/json/ },
      { name: "form post", send: () => ctx.post(url, { headers, form: { a: "b" } }), status: 415, message: /application\/json/ },
      { name: "invalid JSON", send: () => ctx.post(url, { headers: json, data: Buffer.from("{") }), status: 400, message: /not valid JSON/ },
      { name: "invalid UTF-8", send: () => ctx.post(url, { headers: json, data: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]) }), status: 400, message: /UTF-8/ },
      { name: "an array", send: () => ctx.post(url, { headers, data: [] }), status: 400, message: /Send a JSON object/ },
      { name: "a string", send: () => ctx.post(url, { headers: json, data: Buffer.from('"\\u0000"') }), status: 400, message: /Send a JSON object/ },
      { name: "unknown field", send: () => ctx.post(url, { headers, data: { userId: "00000000-0000-4000-8000-000000000000" } }), status: 400, message: /Unknown field: userId/ },
      { name: "control characters in a key", send: () => ctx.post(url, { headers, data: { "a\u0001": "x".repeat(5000) } }), status: 400, message: /Unknown field/ },
      { name: "over 16 KiB", send: () => ctx.post(url, { headers, data: { a: "x".repeat(20_000) } }), status: 413, message: /larger than/ },
      { name: "cross-origin", send: () => ctx.post(url, { headers: { origin: "https://evil.example" }, data: {} }), status: 403, message: /Cross-origin/ },
    ];
    for (const c of cases) {
      const res = await c.send();
      expect(res.status(), c.name).toBe(c.status);
      const body = (await res.json()) as { ok: boolean; error: { message: string } };
      expect(body.ok, c.name).toBe(false);
      expect(body.error.message, c.name).toMatch(c.message);
    }
    expect((await ctx.get(url)).status()).toBe(405);
    expect(await exportsOf(id)).toEqual({ exports: 0, audit: 0 });
  } finally {
    await ctx.dispose();
  }
});
