import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { APP_ORIGIN, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// The staff user page, /admin/users/[id], read-only side: who sees it (support and admin; a plain user gets a
// 404, as does a malformed or unknown id), what it shows, the audit trail's pages, that support gets no write
// control at all and an admin without two-factor gets the set-up notice instead, and axe at 1280 and 375 px.
// Everything runs against the real stack: the Google emulator, the Auth server and Postgres.

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

function grantRole(email: string, role: "user" | "support" | "admin"): void {
  execFileSync(process.execPath, ["scripts/grant-role.ts", email, role], { stdio: "pipe" });
}

type Person = { email: string; name: string };

async function staff(browser: Browser, role: "support" | "admin" | "user", label: string): Promise<{ context: BrowserContext; page: Page; who: Person }> {
  const who = { email: uniqueEmail(label), name: `${label} Person` };
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "google", who);
  if (role !== "user") grantRole(who.email, role);
  return { context, page, who };
}

/** A user signed in from Firefox on Linux through the app (a request context: no browser needed). */
async function target(playwright: { request: { newContext(o: object): Promise<APIRequestContext> } }, label: string) {
  const who = { email: uniqueEmail(label), name: "Bea Target" };
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN, userAgent: FIREFOX_LINUX });
  await signInByRequest(ctx, who);
  return { ctx, who, id: await userIdByEmail(who.email) };
}

const WRITE_BUTTONS = [/^Ban/, /^Unban$/, /^Delete/, /^End session/, /^End all sessions$/, /^Change role$/, /^Remove role$/, /^Remove/];

async function expectNoWriteControls(page: Page) {
  for (const name of WRITE_BUTTONS) await expect(page.getByRole("button", { name })).toHaveCount(0);
  for (const id of ["profile-controls", "role-controls"]) await expect(page.getByTestId(id)).toHaveCount(0);
  await expect(page.locator("dialog")).toHaveCount(0);
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

const SECTIONS = ["Profile", "Role", "Identities", "Sessions", "Two-factor", "Audit trail"];

test("support sees the user's page, every section, and no write control at all", async ({ browser, playwright }) => {
  const support = await staff(browser, "support", "page-support");
  const b = await target(playwright, "page-target");
  try {
    const { page } = support;
    const res = await page.goto(`/admin/users/${b.id}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bea Target");
    for (const title of SECTIONS) await expect(page.getByRole("heading", { level: 2, name: title, exact: true })).toBeVisible();
    await expect(page.getByTestId("profile-email")).toHaveText(b.who.email.toLowerCase());
    await expect(page.getByTestId("profile-status")).toHaveText("Active");
    await expect(page.getByTestId("role-current")).toHaveText("User");
    await expect(page.getByTestId("identity")).toHaveCount(1);
    await expect(page.getByTestId("identity").first()).toHaveAttribute("data-provider", "google");
    const sessions = page.getByTestId("session");
    await expect(sessions).toHaveCount(1);
    await expect(sessions.first()).toContainText("Firefox 140 on Linux");
    await expect(page.getByTestId("no-factors")).toBeVisible();
    await expectNoWriteControls(page);
    // Support has no write permission: not even the two-factor notice (nothing it could unlock).
    await expect(page.getByTestId("mfa-enrolment-notice")).toHaveCount(0);
    // Another user's session never shows on this page: the support user's own is not listed.
    const [own] = await sql<{ n: number }>("select count(*)::int as n from auth.sessions where user_id = $1", [await userIdByEmail(support.who.email)]);
    expect(own?.n).toBeGreaterThan(0);
    expect(await sessions.evaluateAll((items) => items.map((i) => i.getAttribute("data-session-id")))).toEqual(
      (await sql<{ id: string }>("select id::text from auth.sessions where user_id = $1", [b.id])).map((r) => r.id),
    );
  } finally {
    await support.context.close();
    await b.ctx.dispose();
  }
});

test("a plain user gets a 404 for the page, and a 403 from the audit route", async ({ browser, playwright }) => {
  const plain = await staff(browser, "user", "page-plain");
  const b = await target(playwright, "page-target-plain");
  try {
    const res = await plain.page.goto(`/admin/users/${b.id}`);
    expect(res?.status()).toBe(404);
    await expect(plain.page.getByText("Bea Target")).toHaveCount(0);
    const api = await plain.context.request.get(`/api/admin/users/${b.id}/audit`);
    expect(api.status()).toBe(403);
    expect(await api.json()).toMatchObject({ ok: false, error: { code: "forbidden" } });
    // Their own id: still a 404 (the page is for staff, not a mirror of the account pages).
    const self = await plain.page.goto(`/admin/users/${await userIdByEmail(plain.who.email)}`);
    expect(self?.status()).toBe(404);
  } finally {
    await plain.context.close();
    await b.ctx.dispose();
  }
});

test("a malformed or unknown id is a 404 for staff; the audit route refuses bad input with a 400", async ({ browser, playwright }) => {
  const support = await staff(browser, "support", "page-ids");
  const b = await target(playwright, "page-target-ids");
  try {
    const { page } = support;
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-00000000dead", `${b.id}0`, "%00", "1", `${b.id.slice(0, 35)}g`]) {
      const res = await page.goto(`/admin/users/${id}`);
      expect(res?.status(), id).toBe(404);
    }
    // An upper-case id is the same user.
    const upper = await page.goto(`/admin/users/${b.id.toUpperCase()}`);
    expect(upper?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bea Target");

    const api = support.context.request;
    for (const query of ["?limit=0", "?limit=51", "?limit=abc", "?cursor=nope", "?x=1", "?limit=1&limit=2"]) {
      const res = await api.get(`/api/admin/users/${b.id}/audit${query}`);
      expect(res.status(), query).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    }
    const badId = await api.get(`/api/admin/users/not-a-uuid/audit`);
    expect(badId.status()).toBe(400);
    const unknown = await api.get(`/api/admin/users/00000000-0000-4000-8000-00000000dead/audit`);
    expect(unknown.status()).toBe(200);
    expect(await unknown.json()).toEqual({ ok: true, events: [], nextCursor: null });
    const signedOut = await playwright.request.newContext({ baseURL: APP_ORIGIN });
    expect((await signedOut.get(`/api/admin/users/${b.id}/audit`)).status()).toBe(401);
    await signedOut.dispose();
  } finally {
    await support.context.close();
    await b.ctx.dispose();
  }
});

test("the audit trail: newest first, Show older pages through every event once, focus and announcement", async ({ browser, playwright }) => {
  const support = await staff(browser, "support", "page-trail");
  const b = await target(playwright, "page-target-trail");
  const other = await target(playwright, "page-other-trail");
  try {
    const actor = await userIdByEmail(support.who.email);
    // 45 events about B in two transactions (ties within each, by id), and some about another user.
    for (const [from, to] of [
      [1, 25],
      [26, 45],
    ]) {
      await sql(
        `insert into public.audit_events (actor_id, action, target_user_id, after)
         select $1::uuid, 'user.ban', $2::uuid, jsonb_build_object('reason', 'seeded ' || g) from generate_series($3::int, $4::int) g`,
        [actor, b.id, from!, to!],
      );
    }
    await sql(`insert into public.audit_events (actor_id, action, target_user_id) select $1::uuid, 'user.ban', $2::uuid from generate_series(1, 5)`, [actor, other.id]);
    const expected = (
      await sql<{ id: string }>(
        "select id::text from public.audit_events where target_user_id = $1 or actor_id = $1 order by created_at desc, id desc",
        [b.id],
      )
    ).map((r) => r.id);
    expect(expected).toHaveLength(45);

    const { page } = support;
    await page.goto(`/admin/users/${b.id}`);
    const events = page.getByTestId("audit-event");
    await expect(events).toHaveCount(20);
    await expect(events.first()).toContainText("By " + support.who.email.toLowerCase());
    await expect(events.first().getByTestId("audit-reason")).toHaveText(/^Reason: seeded (4[0-5]|3\d|2[6-9])$/);
    const older = page.getByRole("button", { name: "Show older" });
    await older.click();
    await expect(events).toHaveCount(40);
    await expect(page.getByTestId("audit-status")).toHaveText("Loaded 20 older events.");
    await expect(events.nth(20)).toBeFocused();
    await older.click();
    await expect(events).toHaveCount(45);
    await expect(page.getByTestId("audit-status")).toHaveText("Loaded 5 older events. These are the oldest events.");
    await expect(events.nth(40)).toBeFocused();
    await expect(page.getByRole("button", { name: "Show older" })).toHaveCount(0);
    await expect(page.getByTestId("audit-end")).toBeVisible();
    const shown = await events.evaluateAll((items) => items.map((i) => i.getAttribute("data-audit-id")));
    expect(shown).toEqual(expected);
  } finally {
    await support.context.close();
    await b.ctx.dispose();
    await other.ctx.dispose();
  }
});

test("an admin without two-factor sees the set-up notice in place of every write control", async ({ browser, playwright }) => {
  const admin = await staff(browser, "admin", "page-admin-nototp");
  const b = await target(playwright, "page-target-nototp");
  try {
    const { page } = admin;
    await page.goto(`/admin/users/${b.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bea Target");
    const notice = page.getByTestId("mfa-enrolment-notice");
    await expect(notice).toBeVisible();
    await expect(notice).toContainText("You can look at everything on this page meanwhile.");
    const link = notice.getByRole("link", { name: "Set up two-factor authentication to make changes" });
    await expect(link).toHaveAttribute("href", `/account/two-factor?next=/admin/users/${b.id}`);
    await expectNoWriteControls(page);
    await link.click();
    await page.waitForURL((url) => url.pathname === "/account/two-factor");
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/admin/users/${b.id}`);
  } finally {
    await admin.context.close();
    await b.ctx.dispose();
  }
});

test("axe: no serious or critical violation at 1280 and 375 px, for support and for an admin without two-factor", async ({ browser, playwright }) => {
  const support = await staff(browser, "support", "page-axe-support");
  const admin = await staff(browser, "admin", "page-axe-admin");
  const b = await target(playwright, "page-target-axe");
  try {
    await sql(`insert into public.audit_events (actor_id, action, target_user_id, before, after) values ($1::uuid, 'user.ban', $2::uuid, '{"banned_until": null}', '{"reason": "axe"}')`, [
      await userIdByEmail(admin.who.email),
      b.id,
    ]);
    for (const { page } of [support, admin]) {
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`/admin/users/${b.id}`);
        await expect(page.getByTestId("audit-event")).toHaveCount(1);
        await page.getByText("Before and after").click();
        expect(await seriousViolations(page), `width ${width}`).toEqual([]);
        // Nothing scrolls sideways at 375 px.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
    }
  } finally {
    await support.context.close();
    await admin.context.close();
    await b.ctx.dispose();
  }
});
