import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// The audit log page and its CSV export through the real app and Postgres: a plain user gets 404 and 403;
// support filters by actor, target, action and time range, pages, and downloads exactly the filtered events
// (nobody else's), in keyset batches, with formula cells defused. The events are written by this run to its
// own users (audit rows are append-only, so the users are fresh each run and the rows stay).

test.describe.configure({ mode: "serial" });

type Who = { email: string; name: string; id: string };

let support: Who;
let plain: Who;
let actor: Who;
let target: Who;
let bystander: Who;
/** Before this instant (whole seconds, UTC): the first batch; after it, the second. */
let split: string;

const BULK = 520;
const INJECTION = '=HYPERLINK("http://evil.example","click"), then "quotes"\nand a new line';

async function newUser(playwright: { request: { newContext: (o: { baseURL: string }) => Promise<APIRequestContext> } }, prefix: string, name: string): Promise<Who> {
  const email = uniqueEmail(prefix);
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  await signInByRequest(api, { email, name });
  await api.dispose();
  return { email, name, id: await userIdByEmail(email) };
}

async function signedInPage(browser: Browser, playwright: { request: { newContext: (o: { baseURL: string }) => Promise<APIRequestContext> } }, who: Who, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  await signInByRequest(api, who);
  const context = await browser.newContext({ storageState: await api.storageState(), viewport, acceptDownloads: true });
  await api.dispose();
  return context.newPage();
}

/** One audit row, in its own transaction (the row's time is its transaction's). */
async function audit(actorId: string | null, action: string, targetId: string | null, before: unknown, after: unknown): Promise<void> {
  await sql(`insert into public.audit_events (actor_id, action, target_user_id, ip, before, after) values ($1::uuid, $2, $3::uuid, '203.0.113.5', $4::text::jsonb, $5::text::jsonb)`, [
    actorId,
    action,
    targetId,
    before === null ? null : JSON.stringify(before),
    after === null ? null : JSON.stringify(after),
  ]);
}

type Stored = { id: string; actor: string | null; action: string; target: string | null; at: string };

async function stored(where: string, params: (string | null)[]): Promise<Stored[]> {
  return sql<Stored>(
    `select id::text, actor_id::text as actor, action, target_user_id::text as target,
            to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at
     from public.audit_events where ${where} order by created_at desc, id desc`,
    params,
  );
}

/** A minimal RFC 4180 reader. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  expect(cell, "the file ends with a complete row").toBe("");
  return rows;
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual(["time", "actor_id", "actor_email", "action", "target_id", "target_email", "reason", "ip", "before", "after", "event_id"]);
  return rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] ?? ""])));
}

const shownIds = (page: Page) => page.getByTestId("audit-event").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-id")));

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

test.beforeAll(async ({ playwright }) => {
  support = await newUser(playwright, "audit-support", "Sue Support");
  plain = await newUser(playwright, "audit-plain", "Paul Plain");
  actor = await newUser(playwright, "audit-actor", "Ada Actor");
  target = await newUser(playwright, "audit-target", "Tim Target");
  bystander = await newUser(playwright, "audit-bystander", "Bea Bystander");
  // A real grant: the script's own audit row (System → support) names the support user as its target.
  execFileSync(process.execPath, ["scripts/grant-role.ts", support.email, "support"], { stdio: "pipe" });

  // The first batch.
  await audit(actor.id, "user.ban", target.id, { banned_until: null }, { ban_duration: "24h", reason: INJECTION });
  await audit(actor.id, "role.assign", target.id, { role: "user" }, { role: "support", reason: "covers the help desk" });
  await audit(bystander.id, "role.assign", bystander.id, { role: "user" }, { role: "admin" });
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  // A split on a whole minute would show as HH:MM in the datetime inputs; keep the seconds in every URL.
  while (new Date().getUTCSeconds() === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  split = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().slice(0, 19);
  // The second batch: many events of one actor at one instant, more than an export batch (500).
  await audit(actor.id, "sessions.revoke", target.id, null, { sessions_revoked: 2 });
  await sql(
    `insert into public.audit_events (actor_id, action, target_user_id, before, after)
     select $1::uuid, 'user.unban', $2::uuid, '{"banned_until": "2999-01-01T00:00:00Z"}', jsonb_build_object('n', g) from generate_series(1, $3::int) g`,
    [actor.id, bystander.id, String(BULK)],
  );
  await audit(bystander.id, "user.ban", actor.id, null, { reason: "+SUM(1,2)" });
});

test("a plain user gets a 404 on /admin/audit and a 403 from the audit routes", async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(api, plain);
    for (const path of ["/admin/audit", `/admin/audit?actor=${actor.email}`]) {
      const res = await api.get(path, { maxRedirects: 0 });
      expect(res.status(), path).toBe(404);
      expect(await res.text()).not.toContain(actor.email);
    }
    for (const path of ["/api/admin/audit", `/api/admin/audit?actor=${actor.id}`, "/api/admin/audit/export.csv", `/api/admin/audit/export.csv?actor=${actor.id}`]) {
      const res = await api.get(path);
      expect(res.status(), path).toBe(403);
      expect(res.headers()["content-disposition"]).toBeUndefined();
    }
  } finally {
    await api.dispose();
  }
  const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    expect((await anonymous.get("/api/admin/audit/export.csv")).status()).toBe(401);
    const page = await anonymous.get("/admin/audit?action=user.ban", { maxRedirects: 0 });
    expect(page.headers().location).toBe(`/login?next=${encodeURIComponent("/admin/audit?action=user.ban")}`);
  } finally {
    await anonymous.dispose();
  }
});

test("support filters by actor, target, action and time; every row shows time, actor, action, target, reason and changes", async ({ browser, playwright }) => {
  const page = await signedInPage(browser, playwright, support);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("audit-event").first()).toBeVisible();

  // Actor by email, and an action from the select.
  await page.getByLabel("Actor", { exact: true }).fill(actor.email.toUpperCase());
  await page.getByLabel("Action", { exact: true }).selectOption("role.assign");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(`/admin/audit?actor=${encodeURIComponent(actor.email.toUpperCase())}&action=role.assign`);
  const rows = page.getByTestId("audit-event");
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row.getByTestId("audit-actor")).toContainText(actor.email);
  await expect(row.getByTestId("audit-actor")).toHaveAttribute("data-user-id", actor.id);
  await expect(row.getByTestId("audit-action")).toHaveText("role.assign");
  await expect(row.getByTestId("audit-target")).toContainText(target.email);
  await expect(row.getByTestId("audit-target").getByRole("link")).toHaveAttribute("href", `/admin/users/${target.id}`);
  await expect(row.getByTestId("audit-reason")).toHaveText("covers the help desk");
  await expect(row.getByTestId("audit-changes")).toHaveText("role: user → support");
  const dateTime = (await row.locator("time").getAttribute("datetime")) ?? "";
  expect(Math.abs(Date.now() - Date.parse(dateTime))).toBeLessThan(10 * 60_000);
  await expect(row.locator("time")).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);

  // Target by id, over every action: the three events about the target, newest first.
  await page.goto(`/admin/audit?target=${target.id}`);
  const aboutTarget = await stored("target_user_id = $1::uuid", [target.id]);
  expect(aboutTarget.map((e) => e.action)).toEqual(["sessions.revoke", "role.assign", "user.ban"]);
  expect(await shownIds(page)).toEqual(aboutTarget.map((e) => e.id));
  await expect(rows.nth(2).getByTestId("audit-reason")).toHaveText(INJECTION);

  // The script's grant: an actor-less row, shown as System.
  await page.goto(`/admin/audit?target=${support.email}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("audit-actor")).toHaveText("System");
  await expect(rows.first().getByTestId("audit-changes")).toHaveText("role: user → support");

  // Time range: from the split on, then up to it.
  await page.goto(`/admin/audit?actor=${actor.id}&from=${split}`);
  await expect(page.getByLabel("From (UTC)")).toHaveValue(split);
  await expect(page.getByRole("button", { name: "Load more" })).toBeVisible();
  for (const action of await page.getByTestId("audit-action").allTextContents()) expect(["user.unban", "sessions.revoke"]).toContain(action);
  await page.goto(`/admin/audit?actor=${actor.id}&to=${split}`);
  expect(await shownIds(page)).toEqual((await stored("actor_id = $1::uuid and created_at < $2::timestamptz", [actor.id, `${split}Z`])).map((e) => e.id));
  await expect(rows).toHaveCount(2);

  // Back returns to the earlier filters, in the URL and in the form.
  await page.getByLabel("Action", { exact: true }).selectOption("user.ban");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(`/admin/audit?actor=${actor.id}&action=user.ban&to=${encodeURIComponent(split)}`);
  await expect(rows).toHaveCount(1);
  await page.goBack();
  // Back to the address as it was typed (":" unencoded).
  await expect(page).toHaveURL(`/admin/audit?actor=${actor.id}&to=${split}`);
  await expect(rows).toHaveCount(2);
  await expect(page.getByLabel("Action", { exact: true })).toHaveValue("");
  await page.reload();
  await expect(rows).toHaveCount(2);
  await expect(page.getByLabel("Actor", { exact: true })).toHaveValue(actor.id);
  await page.context().close();
});

test("Load more walks every event of the filter once, newest first, through a tie of hundreds", async ({ browser, playwright }) => {
  const page = await signedInPage(browser, playwright, support);
  const expected = (await stored("actor_id = $1::uuid and target_user_id = $2::uuid", [actor.id, bystander.id])).map((e) => e.id);
  expect(expected).toHaveLength(BULK);
  await page.goto(`/admin/audit?actor=${actor.email}&target=${bystander.id}&action=user.unban`);
  const rows = page.getByTestId("audit-event");
  await expect(rows).toHaveCount(25);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(50);
  // Focus moves to the first row of the page just loaded, and the status says what happened.
  await expect(rows.nth(25)).toBeFocused();
  await expect(page.getByTestId("audit-status")).toHaveText("Loaded 25 older events.");
  expect(await shownIds(page)).toEqual(expected.slice(0, 50));

  // The route: every page once, in order.
  const api = page.context().request;
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 20 && (n === 0 || cursor); n++) {
    const query = new URLSearchParams({ actor: actor.id, target: bystander.id, limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await api.get(`/api/admin/audit?${query}`);
    expect(res.status(), await res.text()).toBe(200);
    const body = (await res.json()) as { events: { id: string }[]; nextCursor: string | null };
    ids.push(...body.events.map((e) => e.id));
    cursor = body.nextCursor;
  }
  expect(ids).toEqual(expected);
  await page.context().close();
});

test("the CSV download holds exactly the filtered events, quoted and with formulas defused", async ({ browser, playwright }) => {
  const page = await signedInPage(browser, playwright, support);
  await page.goto(`/admin/audit?actor=${actor.email}`);
  const link = page.getByTestId("audit-export");
  await expect(link).toHaveAttribute("href", `/api/admin/audit/export.csv?actor=${encodeURIComponent(actor.email)}`);
  const downloading = page.waitForEvent("download");
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const all = records(await readFile((await download.path()) as string, "utf8"));

  const expected = await stored("actor_id = $1::uuid", [actor.id]);
  expect(all.map((r) => r.event_id)).toEqual(expected.map((e) => e.id));
  expect(all.length).toBe(BULK + 3);
  for (const r of all) {
    expect(r.actor_id).toBe(actor.id);
    expect(r.actor_email).toBe(actor.email.toLowerCase());
  }
  const ban = all.find((r) => r.action === "user.ban") as Record<string, string>;
  expect(ban.reason).toBe(`'${INJECTION}`);
  expect(ban.target_email).toBe(target.email.toLowerCase());
  expect(JSON.parse(ban.before as string)).toEqual({ banned_until: null });
  expect(JSON.parse(ban.after as string)).toEqual({ ban_duration: "24h", reason: INJECTION });
  expect(ban.ip).toBe("203.0.113.5");
  expect(Date.parse(ban.time as string)).toBeGreaterThan(Date.now() - 10 * 60_000);

  // The route itself: headers, and the other filters.
  const api = page.context().request;
  const res = await api.get(`/api/admin/audit/export.csv?target=${actor.id}&action=user.ban`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
  expect(res.headers()["cache-control"]).toContain("no-store");
  const aboutActor = records(await res.text());
  expect(aboutActor).toHaveLength(1);
  expect(aboutActor[0]).toMatchObject({ actor_id: bystander.id, target_id: actor.id, reason: "'+SUM(1,2)" });

  const ranged = records(await (await api.get(`/api/admin/audit/export.csv?target=${target.id}&to=${split}`)).text());
  expect(ranged.map((r) => r.action).sort()).toEqual(["role.assign", "user.ban"]);
  const none = records(await (await api.get(`/api/admin/audit/export.csv?actor=nobody-${Date.now()}@example.com`)).text());
  expect(none).toEqual([]);
  await page.context().close();
});

test("bad queries to the audit routes answer 400, never a 5xx; the page ignores them and says so", async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(api, support);
    const BAD = [
      "who=1",
      "actor=a@b.c&actor=d@e.f",
      "actor=ada",
      "actor=%00@x.y",
      `actor=${"a".repeat(400)}@b.c`,
      "target=not-an-id",
      "action=DROP%20TABLE",
      "action=User.Ban",
      `action=a.${"b".repeat(70)}`,
      "from=yesterday",
      "from=2026-02-30",
      "to=2026-12-05T25:00",
      "to=1900-01-01",
      "from=2026-12-05T10:00Z",
    ];
    for (const query of BAD) {
      for (const path of ["/api/admin/audit", "/api/admin/audit/export.csv"]) {
        const res = await api.get(`${path}?${query}`);
        expect(res.status(), `${path}?${query}`).toBe(400);
        expect(await res.json()).toMatchObject({ ok: false, error: { code: "invalid_input" } });
      }
      const page = await api.get(`/admin/audit?${query}`);
      expect(page.status(), query).toBe(200);
      expect(await page.text()).toContain('data-testid="audit-dropped"');
    }
    for (const query of ["cursor=nope", "cursor=2026-12-05T08:03:12.353860Z_x", "limit=0", "limit=101", "limit=1&limit=2", "cursor=a&cursor=b"]) {
      const res = await api.get(`/api/admin/audit?${query}`);
      expect(res.status(), query).toBe(400);
    }
    for (const query of ["cursor=x", "limit=5"]) expect((await api.get(`/api/admin/audit/export.csv?${query}`)).status(), query).toBe(400);
  } finally {
    await api.dispose();
  }
});

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  test(`the audit log page has no serious accessibility violations at ${viewport.width} px`, async ({ browser, playwright }) => {
    const page = await signedInPage(browser, playwright, support, viewport);
    for (const path of [`/admin/audit?target=${target.id}`, `/admin/audit?actor=nobody-${Date.now()}@example.com`]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
      expect(await seriousViolations(page), path).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.context().close();
  });
}
