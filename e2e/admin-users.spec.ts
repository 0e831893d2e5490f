import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN, signInByRequest, sql, uniqueEmail } from "./support";

// The admin users table through the real app, Auth server, emulators and Postgres: a plain user never learns
// the area exists (404 pages, 403 routes); support finds users by email, name and id prefix, sorts, filters
// and pages, and the URL carries the state through a reload and the Back button. The users searched for are
// seeded under a domain of this run's own (`npm run seed:users -- 60 --tag …`) and removed afterwards.

test.describe.configure({ mode: "serial" });

const TAG = `e2e-au-${Date.now().toString(36)}`;
const DOMAIN = `${TAG}.seed.test`;
const SEEDED = 60;
const NAME_MARK = Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, "x");

type Truth = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  banned: boolean;
  mfa: boolean;
  providers: string[];
  created: string;
  last: string | null;
};

let support: { email: string; name: string };
let plain: { email: string; name: string };
let seeded: Truth[];

function node(...args: string[]): void {
  execFileSync(process.execPath, args, { stdio: "pipe" });
}

async function truth(): Promise<Truth[]> {
  return sql<Truth>(
    `select d.id::text, d.email, d.display_name as name, d.role::text as role, coalesce(d.banned_until > now(), false) as banned,
            d.has_mfa as mfa, d.providers,
            to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created,
            to_char(coalesce(d.last_sign_in_at, '-infinity') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as last
     from private.user_directory d where d.email like $1`,
    [`%@${DOMAIN}`],
  );
}

/** A browser context signed in as `who` (through the emulator, without the consent page's UI). */
async function signedInPage(browser: Browser, playwright: { request: { newContext: (o: { baseURL: string }) => Promise<APIRequestContext> } }, who: { email: string; name: string }, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  await signInByRequest(api, who);
  const context = await browser.newContext({ storageState: await api.storageState(), viewport });
  await api.dispose();
  return context.newPage();
}

const rowIds = (page: Page) => page.getByTestId("admin-user-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-user-id")));

function order(rows: Truth[], sort: "created" | "last" | "email", dir: "asc" | "desc"): string[] {
  return [...rows]
    .sort((a, b) => {
      const ka = a[sort] ?? "";
      const kb = b[sort] ?? "";
      const c = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return dir === "asc" ? c : -c;
    })
    .map((u) => u.id);
}

/** Clicks "Load more" until every page is shown. */
async function loadAll(page: Page): Promise<void> {
  const more = page.getByRole("button", { name: "Load more" });
  for (let i = 0; i < 10 && (await more.count()) > 0; i++) {
    const before = await page.getByTestId("admin-user-row").count();
    await more.click();
    await expect.poll(() => page.getByTestId("admin-user-row").count()).toBeGreaterThan(before);
  }
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

test.beforeAll(async ({ playwright }) => {
  node("scripts/seed-users.ts", String(SEEDED), "--tag", TAG);
  // Every filter has someone to find, whatever the seed's dice said.
  const ids = (await sql<{ id: string }>(`select id::text from private.user_directory where email like $1 order by id`, [`%@${DOMAIN}`])).map((r) => r.id);
  await sql(`update auth.users set banned_until = now() + interval '3 days' where id = any ($1::uuid[])`, [`{${ids.slice(0, 3).join(",")}}`]);
  await sql(`update public.user_roles set role = 'support' where user_id = any ($1::uuid[])`, [`{${ids.slice(3, 5).join(",")}}`]);
  await sql(
    `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
     select gen_random_uuid(), u, 'Phone', 'totp', 'verified', now(), now(), 'ABCDEFGH' from unnest($1::uuid[]) u
     where not exists (select 1 from auth.mfa_factors f where f.user_id = u and f.status = 'verified')`,
    [`{${ids.slice(5, 9).join(",")}}`],
  );
  // A name nobody else has (the seed draws names from a list), in no email: the name search finds it by name alone.
  await sql(`update public.profiles set display_name = $2 where id = $1::uuid`, [ids[9] as string, `Ottoline Quillfeather${NAME_MARK}`]);
  seeded = await truth();
  expect(seeded).toHaveLength(SEEDED);

  support = { email: uniqueEmail("admin-users-support"), name: "Sam Support" };
  plain = { email: uniqueEmail("admin-users-plain"), name: "Pat Plain" };
  for (const who of [support, plain]) {
    const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
    await signInByRequest(api, who);
    await api.dispose();
  }
  node("scripts/grant-role.ts", support.email, "support");
});

test.afterAll(() => {
  node("scripts/seed-users.ts", "--remove", "--tag", TAG);
});

test("a plain user gets a 404 from every admin page and a 403 from the admin routes; signed out, sign-in", async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(api, plain);
    for (const path of ["/admin", "/admin/users", `/admin/users?q=${DOMAIN}&sort=email`, "/admin/audit", "/admin/audit?action=user.ban"]) {
      const res = await api.get(path, { maxRedirects: 0 });
      expect(res.status(), path).toBe(404);
      const body = await res.text();
      expect(body, path).not.toContain('data-testid="admin-users"');
      expect(body, path).not.toContain("Audit log");
      expect(body, path).not.toContain(seeded[0]?.email);
      expect(body, path).not.toMatch(/<title>[^<]*(Users|Audit log)/);
      expect(body, path).not.toMatch(/"children":"(Users|Audit log) · /);
    }
    for (const path of ["/api/admin/users", `/api/admin/users?q=${DOMAIN}`, "/api/admin/users?evil=1", "/api/admin/audit", "/api/admin/audit/export.csv"]) {
      const res = await api.get(path);
      expect(res.status(), path).toBe(403);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: "forbidden" } });
    }
  } finally {
    await api.dispose();
  }

  const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    const page = await anonymous.get("/admin/users?q=ada&sort=email", { maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect(page.headers().location).toBe(`/login?next=${encodeURIComponent("/admin/users?q=ada&sort=email")}`);
    expect((await anonymous.get("/api/admin/users")).status()).toBe(401);
  } finally {
    await anonymous.dispose();
  }
});

test("support finds users by part of the email, part of the name and a prefix of the id", async ({ browser, playwright }) => {
  const page = await signedInPage(browser, playwright, support);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" })).toBeVisible();

  const search = page.getByLabel("Search by email, name or user id");
  const target = seeded.find((u) => u.name?.endsWith(NAME_MARK)) as Truth;
  const local = target.email.split("@")[0] as string;

  await search.fill(local);
  await expect(page).toHaveURL(new RegExp(`/admin/users\\?q=${local.replace(/[.]/g, "\\.")}$`));
  await expect(page.locator(`[data-testid="admin-user-row"][data-user-id="${target.id}"]`)).toBeVisible();
  for (const email of await page.getByTestId("admin-user-email").allTextContents()) expect(email).toContain(local);

  const lastName = `Quillfeather${NAME_MARK}`;
  await search.fill(lastName.toUpperCase());
  await expect(page).toHaveURL(new RegExp(`q=${lastName.toUpperCase()}$`));
  await expect(page.locator(`[data-testid="admin-user-row"][data-user-id="${target.id}"]`)).toBeVisible();
  const rows = page.getByTestId("admin-user-row");
  for (const text of await rows.allTextContents()) expect(text.toLowerCase()).toContain(lastName.toLowerCase());

  await search.fill(target.id.slice(0, 13));
  await search.press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=${target.id.slice(0, 13)}$`));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-user-id", target.id);
  await expect(rows.first().getByRole("link")).toHaveAttribute("href", `/admin/users/${target.id}`);
  await expect(page.getByTestId("admin-users-count")).toHaveText("Showing 1 of 1 user.");

  await search.fill(`zz-nobody-${TAG}`);
  await expect(page.getByTestId("admin-users-empty")).toBeVisible();
  await expect(page.getByTestId("admin-users-count")).toHaveText("No users match.");
  await page.context().close();
});

test("support sorts, filters and pages; the URL holds the state through a reload and Back", async ({ browser, playwright }) => {
  const page = await signedInPage(browser, playwright, support);
  await page.goto(`/admin/users?q=${DOMAIN}`);
  const rows = page.getByTestId("admin-user-row");
  await expect(rows).toHaveCount(25);
  await expect(page.getByTestId("admin-users-count")).toHaveText(`Showing 25 of ${SEEDED} users.`);
  expect(await rowIds(page)).toEqual(order(seeded, "created", "desc").slice(0, 25));

  // Sort: email A to Z, every page.
  await page.getByLabel("Sort").selectOption({ label: "Email A to Z" });
  await expect(page).toHaveURL(`/admin/users?q=${DOMAIN}&sort=email&dir=asc`);
  await expect.poll(() => rowIds(page)).toEqual(order(seeded, "email", "asc").slice(0, 25));
  await loadAll(page);
  expect(await rowIds(page)).toEqual(order(seeded, "email", "asc"));
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(page.getByTestId("admin-users-count")).toHaveText(`Showing ${SEEDED} of ${SEEDED} users.`);

  await page.getByLabel("Sort").selectOption({ label: "Signed in least recently" });
  await expect(page).toHaveURL(`/admin/users?q=${DOMAIN}&sort=last_sign_in&dir=asc`);
  await expect.poll(() => rowIds(page)).toEqual(order(seeded, "last", "asc").slice(0, 25));

  // Each filter alone, against the directory.
  const cases: [string, string, string, (u: Truth) => boolean][] = [
    ["Status", "Banned", "status=banned", (u) => u.banned],
    ["Role", "Support", "role=support", (u) => u.role === "support"],
    ["Two-factor", "With two-factor", "mfa=yes", (u) => u.mfa],
    ["Provider", "Apple", "provider=apple", (u) => u.providers.includes("apple")],
  ];
  for (const [label, option, param, matches] of cases) {
    await page.goto(`/admin/users?q=${DOMAIN}&sort=email&dir=asc`);
    await page.getByLabel(label, { exact: true }).selectOption({ label: option });
    await expect(page).toHaveURL(`/admin/users?q=${DOMAIN}&sort=email&dir=asc&${param}`);
    const expected = order(seeded.filter(matches), "email", "asc");
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => rows.count()).toBe(Math.min(expected.length, 25));
    await loadAll(page);
    expect(await rowIds(page), param).toEqual(expected);
  }

  // Filters together, then a reload: the same table and the same controls.
  await page.goto(`/admin/users?q=${DOMAIN}&sort=email&dir=asc`);
  await page.getByLabel("Status", { exact: true }).selectOption({ label: "Active" });
  await expect(page).toHaveURL(/status=active$/);
  await page.getByLabel("Provider", { exact: true }).selectOption({ label: "Google" });
  const combined = `/admin/users?q=${DOMAIN}&sort=email&dir=asc&status=active&provider=google`;
  await expect(page).toHaveURL(combined);
  const expected = order(seeded.filter((u) => !u.banned && u.providers.includes("google")), "email", "asc");
  await expect.poll(() => rowIds(page)).toEqual(expected.slice(0, 25));
  await page.reload();
  await expect(page).toHaveURL(combined);
  expect(await rowIds(page)).toEqual(expected.slice(0, 25));
  await expect(page.getByLabel("Search by email, name or user id")).toHaveValue(DOMAIN);
  await expect(page.getByLabel("Sort")).toHaveValue("email:asc");
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("active");
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("google");

  // Back: the state before the provider filter, the controls included; Forward again.
  await page.goBack();
  await expect(page).toHaveURL(`/admin/users?q=${DOMAIN}&sort=email&dir=asc&status=active`);
  await expect.poll(() => rowIds(page)).toEqual(order(seeded.filter((u) => !u.banned), "email", "asc").slice(0, 25));
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("");
  await page.goBack();
  await expect(page).toHaveURL(`/admin/users?q=${DOMAIN}&sort=email&dir=asc`);
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("");
  await page.goForward();
  await expect(page).toHaveURL(/status=active$/);
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("active");

  // Typing a search, then Back, puts the earlier search back in the box.
  await page.getByLabel("Search by email, name or user id").fill(`${TAG}.seed`);
  await expect(page).toHaveURL(new RegExp(`q=${TAG}\\.seed&`));
  await page.goBack();
  await expect(page).toHaveURL(/status=active$/);
  await expect(page.getByLabel("Search by email, name or user id")).toHaveValue(DOMAIN);
  await page.context().close();
});

test("GET /api/admin/users pages through every match once and refuses bad queries with a 400, never a 5xx", async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(api, support);
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 20; n++) {
      const query = new URLSearchParams({ q: DOMAIN, sort: "last_sign_in", dir: "desc", limit: "7", ...(cursor ? { cursor } : {}) });
      const res = await api.get(`/api/admin/users?${query}`);
      expect(res.status(), await res.text()).toBe(200);
      expect(res.headers()["cache-control"]).toContain("no-store");
      const body = (await res.json()) as { users: { id: string }[]; nextCursor: string | null; total: { count: number; exact: boolean } };
      expect(body.total).toEqual({ count: SEEDED, exact: true });
      ids.push(...body.users.map((u) => u.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(ids).toEqual(order(seeded, "last", "desc"));

    const first = (await (await api.get(`/api/admin/users?q=${DOMAIN}&sort=email&limit=2`)).json()) as { nextCursor: string };
    const BAD = [
      "evil=1",
      "q=a&q=b",
      "role=root",
      "role=",
      "sort=name",
      "dir=sideways",
      "status=deleted",
      "provider=github",
      "mfa=1",
      "limit=0",
      "limit=101",
      "limit=-5",
      "limit=abc",
      "cursor=%25%25%25",
      `cursor=${"A".repeat(601)}`,
      `cursor=${first.nextCursor}`,
      `cursor=${first.nextCursor}&sort=email&dir=asc`,
      `q=${"x".repeat(101)}`,
      "q=%00",
      "q=a%0Db",
      "q=%C2%9B",
      `cursor=${Buffer.from(JSON.stringify(["created", "desc", "9999-99-99T00:00:00.000000Z", "00000000-0000-4000-8000-000000000000"])).toString("base64url")}`,
      `cursor=${Buffer.from(JSON.stringify(["email", "desc", "x", "not-a-uuid"])).toString("base64url")}`,
    ];
    for (const query of BAD) {
      const res = await api.get(`/api/admin/users?${query}`);
      expect(res.status(), query).toBe(400);
      expect(await res.json(), query).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    }
    // The page reads the same mistakes forgivingly: the table shows, and says what it ignored.
    for (const query of ["role=root&x=1", "q=a&q=b", `q=${"x".repeat(150)}`, "sort=%00", "mfa=maybe"]) {
      const res = await api.get(`/admin/users?${query}`);
      expect(res.status(), query).toBe(200);
      expect(await res.text()).toContain('data-testid="admin-users-dropped"');
    }
  } finally {
    await api.dispose();
  }
});

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  test(`the users page has no serious accessibility violations at ${viewport.width} px`, async ({ browser, playwright }) => {
    const page = await signedInPage(browser, playwright, support, viewport);
    for (const path of [`/admin/users?q=${DOMAIN}&sort=email&dir=asc`, "/admin", `/admin/users?q=zz-nobody-${TAG}`]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
      expect(await seriousViolations(page), path).toEqual([]);
    }
    // Nothing on the page is wider than the screen but the table's own scrolling region.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Keyboard: the search box, then the filters, are reachable and show focus.
    await page.goto(`/admin/users?q=${DOMAIN}`);
    await page.getByLabel("Search by email, name or user id").focus();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Search" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Sort")).toBeFocused();
    await page.context().close();
  });
}
