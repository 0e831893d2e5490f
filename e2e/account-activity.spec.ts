import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { APP_ORIGIN, decodeJwt, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

type ActivityEvent = { id: string; kind: string; occurredAt: string; sessionId: string | null };
type ActivityPage = { ok: true; events: ActivityEvent[]; nextCursor: string | null };

async function device(browser: Browser, userAgent: string, who: { email: string; name?: string }): Promise<{ context: BrowserContext; page: Page; sessionId: string }> {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await signIn(page, "google", who);
  const sessionId = decodeJwt((await sessionOf(context)).session.access_token).payload.session_id as string;
  return { context, page, sessionId };
}

/** Sign-ins within two seconds of each other are given no device (neither could be told from the other). */
const apart = () => new Promise((resolve) => setTimeout(resolve, 2_100));

/**
 * `count` sign-outs in the Auth server's log, a minute ago and microseconds apart, two at each instant: more
 * events than one page, with ties a cursor must keep apart.
 */
async function seedSignOuts(email: string, count: number): Promise<void> {
  await sql(
    `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(),
            json_build_object('action', 'logout', 'actor_id', $1::text, 'actor_username', $2::text, 'actor_via_sso', false, 'log_type', 'account'),
            now() - interval '1 minute' - make_interval(secs => (g / 2) * 7 / 1000000.0), '203.0.113.7'
     from generate_series(1, $3::int) g`,
    [await userIdByEmail(email), email.toLowerCase(), count],
  );
}

/** Every event of the caller through the route, following nextCursor. */
async function allPages(ctx: APIRequestContext, limit: number): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 200; n++) {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await ctx.get(`/api/account/activity?${query}`);
    expect(res.status(), await res.text()).toBe(200);
    const page = (await res.json()) as ActivityPage;
    events.push(...page.events);
    if (page.nextCursor === null) return events;
    expect(page.events).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error("more than 200 pages");
}

const shownIds = (page: Page) => page.getByTestId("activity-event").evaluateAll((items) => items.map((i) => i.getAttribute("data-event-id")));

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

test("sign-ins with their devices, then an ended session: listed newest first with device, IP and a readable time", async ({ browser }) => {
  const who = { email: uniqueEmail("activity-devices"), name: "Act Ivity" };
  const laptop = await device(browser, FIREFOX_LINUX, who);
  await apart();
  const phone = await device(browser, SAFARI_IPHONE, who);
  try {
    const page = laptop.page;
    await page.goto("/account/activity");
    await expect(page.getByRole("heading", { level: 1, name: "Security activity" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Security activity" })).toHaveAttribute("aria-current", "page");
    const events = page.getByTestId("activity-event");
    await expect(events).toHaveCount(2);
    await expect(events.nth(0)).toContainText("Signed in with Google");
    await expect(events.nth(0).getByTestId("activity-device")).toHaveText("Safari 18 on iOS");
    await expect(events.nth(0).getByTestId("activity-this-device")).toHaveCount(0);
    await expect(events.nth(1)).toContainText("Signed in with Google");
    await expect(events.nth(1).getByTestId("activity-device")).toHaveText("Firefox 140 on Linux");
    await expect(events.nth(1).getByTestId("activity-this-device")).toHaveText("This device");
    await expect(page.getByTestId("activity-end")).toBeVisible();
    await expect(page.getByRole("button", { name: "Show older" })).toHaveCount(0);

    await page.goto("/account/devices");
    await page.locator(`[data-testid="session"][data-session-id="${phone.sessionId}"]`).getByRole("button", { name: /^Sign out/ }).click();
    await expect(page.getByTestId("sessions-notice")).toHaveText("Signed out of Safari 18 on iOS.");

    await page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Security activity" }).click();
    await expect(page).toHaveURL(/\/account\/activity$/);
    await expect(events).toHaveCount(3);
    expect(await events.evaluateAll((items) => items.map((i) => i.getAttribute("data-kind")))).toEqual(["session_ended", "signed_in", "signed_in"]);
    const ended = events.nth(0);
    await expect(ended).toContainText("Signed out another device");
    await expect(ended.getByRole("definition").first()).toHaveText("Firefox 140 on Linux");
    // The phone's session is gone: its sign-in is still listed, without a device to name.
    await expect(events.nth(1)).toContainText("Signed in with Google");
    await expect(events.nth(2).getByTestId("activity-device")).toHaveText("Firefox 140 on Linux");
    await expect(events.nth(2).getByTestId("activity-ip")).toHaveText(/^[0-9a-f.:]+$/);

    const times = await page.locator('[data-testid="activity-event"] time').evaluateAll((items) =>
      items.map((t) => ({ dateTime: t.getAttribute("datetime") ?? "", text: t.textContent ?? "" })),
    );
    expect(times).toHaveLength(3);
    for (const t of times) {
      expect(Math.abs(Date.now() - Date.parse(t.dateTime))).toBeLessThan(10 * 60_000);
      expect(t.text).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
    }
    expect(Date.parse(times[0]?.dateTime ?? "")).toBeGreaterThanOrEqual(Date.parse(times[1]?.dateTime ?? ""));
    expect(Date.parse(times[1]?.dateTime ?? "")).toBeGreaterThanOrEqual(Date.parse(times[2]?.dateTime ?? ""));
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test("another user's events never appear, in the page or through the route, whatever cursor is sent", async ({ page, playwright }) => {
  const mine = { email: uniqueEmail("activity-mine"), name: "Mine Only" };
  const theirs = { email: uniqueEmail("activity-theirs"), name: "Their Own" };
  const other = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const otherPhone = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(other, theirs);
    await signInByRequest(otherPhone, theirs);
    const phoneSession = decodeJwt((await sessionOf(otherPhone)).session.access_token).payload.session_id as string;
    const end = await other.post("/api/account/sessions/end", { headers: { origin: APP_ORIGIN }, data: { sessionId: phoneSession } });
    expect(await end.json()).toMatchObject({ ok: true, ended: true });
    await signIn(page, "google", mine);

    const theirIds = new Set((await allPages(other, 50)).map((e) => e.id));
    expect(theirIds.size).toBeGreaterThanOrEqual(3);
    const theirUserId = await userIdByEmail(theirs.email);
    const stored = await sql<{ id: string }>(
      `select id::text from auth.audit_log_entries where payload ->> 'actor_id' = $1
       union all select id::text from public.audit_events where target_user_id = $1::uuid or actor_id = $1::uuid`,
      [theirUserId],
    );
    for (const row of stored) theirIds.add(row.id);

    await page.goto("/account/activity");
    await expect(page.getByTestId("activity-event")).toHaveCount(1);
    await expect(page.getByTestId("activity-event")).toContainText("Signed in with Google");
    const onPage = await shownIds(page);
    expect(onPage.filter((id) => id !== null && theirIds.has(id))).toEqual([]);

    const viaRoute = await allPages(page.request, 1);
    expect(viaRoute.map((e) => e.kind)).toEqual(["signed_in"]);
    expect(viaRoute.filter((e) => theirIds.has(e.id))).toEqual([]);

    // Their cursor is only a position in time: from it, the list goes on with the caller's own events.
    const theirFirst = (await (await other.get("/api/account/activity?limit=1")).json()) as ActivityPage;
    expect(theirFirst.nextCursor).not.toBeNull();
    const withTheirCursor = await page.request.get(`/api/account/activity?cursor=${theirFirst.nextCursor}`);
    expect(withTheirCursor.status()).toBe(200);
    const body = (await withTheirCursor.json()) as ActivityPage;
    expect(body.events.filter((e) => theirIds.has(e.id))).toEqual([]);
  } finally {
    await other.dispose();
    await otherPhone.dispose();
  }
});

test("Show older pages through every event exactly once, from the keyboard, the new page focused and announced", async ({ page }) => {
  const who = { email: uniqueEmail("activity-pages"), name: "Page Through" };
  await signIn(page, "google", who);
  await seedSignOuts(who.email, 25);

  const viaRoute = await allPages(page.request, 50);
  expect(viaRoute).toHaveLength(26);
  for (const limit of [1, 2, 7, 20]) {
    expect((await allPages(page.request, limit)).map((e) => e.id), `limit ${limit}`).toEqual(viaRoute.map((e) => e.id));
  }
  expect(new Set(viaRoute.map((e) => e.id)).size).toBe(26);

  await page.goto("/account/activity");
  const events = page.getByTestId("activity-event");
  await expect(events).toHaveCount(20);
  await expect(events.nth(1)).toContainText("Signed out");
  await expect(events.nth(1).getByTestId("activity-ip")).toHaveText("203.0.113.7");
  const older = page.getByRole("button", { name: "Show older" });
  await older.focus();
  await page.keyboard.press("Enter");
  await expect(events).toHaveCount(26);
  await expect(page.getByTestId("activity-status")).toHaveText("Loaded 6 older events. These are the oldest events.");
  await expect(page.getByTestId("activity-end")).toBeVisible();
  await expect(older).toHaveCount(0);
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-event-id"))).toBe(viaRoute[20]?.id);
  expect(await shownIds(page)).toEqual(viaRoute.map((e) => e.id));
});

test("a failed Show older says why and keeps the list", async ({ page }) => {
  const who = { email: uniqueEmail("activity-fail"), name: "Fail Older" };
  await signIn(page, "google", who);
  await seedSignOuts(who.email, 24);
  await page.goto("/account/activity");
  await expect(page.getByTestId("activity-event")).toHaveCount(20);
  await sql("delete from auth.sessions where user_id = $1::uuid", [await userIdByEmail(who.email)]);
  await page.getByRole("button", { name: "Show older" }).click();
  await expect(page.getByTestId("activity-error")).toHaveText("Older events could not be loaded: Your session has ended. Sign in again to continue.");
  await expect(page.getByTestId("activity-event")).toHaveCount(20);
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
});

test("fuzz: bad cursors, limits and parameters get a 4xx with a message, never a 5xx", async ({ playwright }) => {
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(ctx, { email: uniqueEmail("activity-fuzz"), name: "Fuzz Activity" });
    const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
    const id = "5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
    const bad = [
      "cursor=",
      "cursor=nope",
      "cursor=%00",
      "cursor=%01%02%1F%7F%0A%0D",
      "cursor=%E2%80%AE%F0%9F%90%89",
      "cursor=%FF%FE",
      "cursor=%",
      `cursor=${"A".repeat(8000)}`,
      `cursor=${b64(`2026-12-05T10:00:00.123Z|${id}`)}`,
      `cursor=${b64(`0000-01-01T00:00:00.000000Z|${id}`)}`,
      `cursor=${b64(`2026-02-30T10:00:00.000000Z|${id}`)}`,
      `cursor=${b64(`2026-12-05T10:00:00.000000Z|${id}%00`)}`,
      `cursor=${b64(`2026-12-05T10:00:00.000000Z|' or 1=1 --`)}`,
      `cursor=${b64("2026-12-05T10:00:00.000000Z")}`,
      "cursor[]=x",
      "cursor=a&cursor=b",
      "limit=0",
      "limit=51",
      "limit=1000000",
      "limit=99999999999999999999999999999999",
      "limit=-1",
      "limit=1e1",
      "limit=2.5",
      "limit=NaN",
      "limit=%00",
      "limit=10%00",
      "limit=",
      "limit=1&limit=2",
      "page=2",
      "%00=1",
      "before=2026-01-01",
    ];
    const failures: string[] = [];
    for (const query of bad) {
      const res = await ctx.get(`/api/account/activity?${query}`);
      const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: { message?: string } } | null;
      const ok = res.status() === 400 && body?.ok === false && (body.error?.message ?? "").length > 0;
      if (!ok) failures.push(`${query.slice(0, 80)}: ${res.status()} ${JSON.stringify(body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);

    // Well-formed cursors at the ends of time: a page, never an error.
    for (const at of ["0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"]) {
      const res = await ctx.get(`/api/account/activity?limit=50&cursor=${b64(`${at}|${id}`)}`);
      expect(res.status(), at).toBe(200);
      expect(((await res.json()) as ActivityPage).events.length, at).toBe(at.startsWith("9999") ? 1 : 0);
    }
    expect((await ctx.get("/api/account/activity?limit=50")).status()).toBe(200);

    const signedOut = await anonymous.get("/api/account/activity");
    expect(signedOut.status()).toBe(401);
    expect(await signedOut.json()).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    expect(signedOut.headers()["cache-control"]).toBe("private, no-store");
  } finally {
    await ctx.dispose();
    await anonymous.dispose();
  }
});

test("axe: no serious or critical violations, wide and at 375 px, which the page fits", async ({ page }) => {
  const who = { email: uniqueEmail("activity-axe"), name: "Axe Activity" };
  await signIn(page, "google", who);
  await seedSignOuts(who.email, 22);
  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
    await page.setViewportSize(viewport);
    await page.goto("/account/activity");
    await expect(page.getByTestId("activity-event")).toHaveCount(20);
    expect(await seriousViolations(page), `/account/activity at ${viewport.width} px`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scroll at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
  }
  await page.getByRole("button", { name: "Show older" }).click();
  await expect(page.getByTestId("activity-event")).toHaveCount(23);
  expect(await seriousViolations(page), "/account/activity with every page shown").toEqual([]);
});
