import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { APP_ORIGIN, decodeJwt, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";
const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36";

async function device(browser: Browser, userAgent: string, who: { email: string; name?: string }): Promise<{ context: BrowserContext; page: Page; sessionId: string }> {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await signIn(page, "google", who);
  const sessionId = decodeJwt((await sessionOf(context)).session.access_token).payload.session_id as string;
  return { context, page, sessionId };
}

const sessionRow = (page: Page, sessionId: string) => page.locator(`[data-testid="session"][data-session-id="${sessionId}"]`);

/** The next request of a signed-out device lands on /login with the session-ended message. */
async function expectSignedOut(page: Page) {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?reason=session_expired&next=%2Faccount$/);
  await expect(page.getByTestId("login-message")).toHaveText(/Your session has ended/);
}

test("the devices page lists every session with its device, marks this one, and ends another: that device is signed out on its next request", async ({ browser }) => {
  const who = { email: uniqueEmail("devices-one"), name: "Dev Ices" };
  const laptop = await device(browser, FIREFOX_LINUX, who);
  const phone = await device(browser, SAFARI_IPHONE, who);
  try {
    const page = laptop.page;
    await page.goto("/account/devices");
    await expect(page.getByRole("heading", { level: 1, name: "Devices and sessions" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Devices and sessions" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("session")).toHaveCount(2);
    const mine = sessionRow(page, laptop.sessionId);
    const other = sessionRow(page, phone.sessionId);
    await expect(mine).toContainText("Firefox 140 on Linux");
    await expect(mine.getByTestId("current-session")).toHaveText("This device");
    await expect(mine.getByRole("button", { name: /^Sign out/ })).toHaveCount(0);
    await expect(other).toContainText("Safari 18 on iOS");
    await expect(other.getByTestId("current-session")).toHaveCount(0);
    await expect(other).toContainText("Single factor");

    await other.getByRole("button", { name: /^Sign out Safari 18 on iOS/ }).click();
    await expect(page.getByTestId("sessions-notice")).toHaveText("Signed out of Safari 18 on iOS.");
    await expect(page.getByTestId("session")).toHaveCount(1);
    await expect(page.getByTestId("no-other-sessions")).toBeVisible();
    expect(await sql("select 1 from auth.sessions where id = $1::uuid", [phone.sessionId])).toHaveLength(0);
    const audit = await sql<{ after: { session_id: string } }>(
      "select after from public.audit_events where target_user_id = $1::uuid and action = 'session.end'",
      [await userIdByEmail(who.email)],
    );
    expect(audit.map((a) => a.after.session_id)).toEqual([phone.sessionId]);

    // The phone's access token has minutes left; its very next request is refused all the same.
    const left = decodeJwt((await sessionOf(phone.context)).session.access_token).payload.exp - Math.floor(Date.now() / 1000);
    expect(left).toBeGreaterThan(60);
    await expectSignedOut(phone.page);

    // The laptop is still signed in.
    await page.reload();
    await expect(page.getByTestId("current-session")).toBeVisible();
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test("sign out of all other devices: both others are signed out on their next request, this one stays", async ({ browser }) => {
  const who = { email: uniqueEmail("devices-all"), name: "All Others" };
  const laptop = await device(browser, FIREFOX_LINUX, who);
  const phone = await device(browser, SAFARI_IPHONE, who);
  const desktop = await device(browser, CHROME_WINDOWS, who);
  try {
    await laptop.page.goto("/account/devices");
    await expect(laptop.page.getByTestId("session")).toHaveCount(3);
    await expect(sessionRow(laptop.page, desktop.sessionId)).toContainText("Chrome 141 on Windows");
    await laptop.page.getByRole("button", { name: "Sign out of all other devices" }).click();
    await expect(laptop.page.getByTestId("sessions-notice")).toHaveText("Signed out of 2 other devices.");
    await expect(laptop.page.getByTestId("session")).toHaveCount(1);
    await expectSignedOut(phone.page);
    await expectSignedOut(desktop.page);
    await laptop.page.goto("/account");
    await expect(laptop.page.getByTestId("account-name")).toHaveText(who.name);
  } finally {
    for (const d of [laptop, phone, desktop]) await d.context.close();
  }
});

test("signing out everywhere else needs a recent sign-in: refused with the step-up prompt, done after signing in again", async ({ browser }) => {
  const who = { email: uniqueEmail("devices-stepup"), name: "Step Upton" };
  const laptop = await device(browser, FIREFOX_LINUX, who);
  const phone = await device(browser, SAFARI_IPHONE, who);
  try {
    const page = laptop.page;
    // Both sign-ins happened 11 minutes ago, as far as the session's sign-in claims go.
    await sql(
      `update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes'
       where session_id in (select id from auth.sessions where user_id = $1::uuid)`,
      [await userIdByEmail(who.email)],
    );
    await page.goto("/account/devices");
    await page.getByRole("button", { name: "Sign out of all other devices" }).click();
    const prompt = page.getByTestId("step-up-prompt");
    await expect(prompt).toContainText("Confirm it's you");
    await expect(page.getByTestId("sessions-notice")).toContainText("Your other devices were not signed out.");
    await expect(page.getByTestId("session")).toHaveCount(2);
    expect(await sql("select 1 from auth.sessions where id = $1::uuid", [phone.sessionId])).toHaveLength(1);

    const direct = await page.request.post("/api/account/sessions/end-others", { headers: { origin: APP_ORIGIN }, data: {} });
    expect(direct.status()).toBe(403);
    expect(await direct.json()).toMatchObject({ ok: false, error: { code: "step_up_required", requirement: "recent_sign_in" } });

    await prompt.getByRole("button", { name: "Sign in again with Google" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Google");
    await page.locator("#email").fill(who.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.waitForURL((url) => url.port === "3000" && url.pathname === "/account/devices");
    await page.getByRole("button", { name: "Sign out of all other devices" }).click();
    await expect(page.getByTestId("sessions-notice")).toHaveText(/^Signed out of [12] other devices?\.$/);
    await expect(page.getByTestId("session")).toHaveCount(1);
    await expectSignedOut(phone.page);
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test("a refused end brings the session back into the list with a message", async ({ browser }) => {
  const who = { email: uniqueEmail("devices-rollback"), name: "Roll Back" };
  const laptop = await device(browser, FIREFOX_LINUX, who);
  const phone = await device(browser, SAFARI_IPHONE, who);
  try {
    await laptop.page.goto("/account/devices");
    await expect(laptop.page.getByTestId("session")).toHaveCount(2);
    // The laptop's own session ends elsewhere before it acts: its request is refused (401).
    await sql("delete from auth.sessions where id = $1::uuid", [laptop.sessionId]);
    await sessionRow(laptop.page, phone.sessionId).getByRole("button", { name: /^Sign out/ }).click();
    await expect(laptop.page.getByTestId("sessions-notice")).toHaveText(
      "Safari 18 on iOS was not signed out. Your session has ended. Sign in again to continue.",
    );
    await expect(sessionRow(laptop.page, phone.sessionId)).toBeVisible();
    expect(await sql("select 1 from auth.sessions where id = $1::uuid", [phone.sessionId])).toHaveLength(1);
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test("fuzz: malformed bodies to the session routes get a 4xx with a message, never a 5xx, and end nothing", async ({ playwright }) => {
  const who = { email: uniqueEmail("devices-fuzz"), name: "Fuzz Sessions" };
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const other = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const stranger = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(ctx, who);
    await signInByRequest(other, who);
    await signInByRequest(stranger, { email: uniqueEmail("devices-stranger"), name: "Stranger" });
    const own = decodeJwt((await sessionOf(ctx)).session.access_token).payload.session_id as string;
    const strangers = decodeJwt((await sessionOf(stranger)).session.access_token).payload.session_id as string;
    const userId = await userIdByEmail(who.email);
    const count = async () => (await sql("select 1 from auth.sessions where user_id = $1::uuid", [userId])).length;
    expect(await count()).toBe(2);

    const J = "application/json";
    const bodies: { label: string; body?: Buffer; type?: string }[] = [
      { label: "no body" },
      { label: "empty JSON body", body: Buffer.alloc(0), type: J },
      { label: "text/plain", body: Buffer.from("{}"), type: "text/plain" },
      { label: "a form", body: Buffer.from("sessionId=x"), type: "application/x-www-form-urlencoded" },
      { label: "not JSON", body: Buffer.from("{"), type: J },
      { label: "null", body: Buffer.from("null"), type: J },
      { label: "an array", body: Buffer.from("[]"), type: J },
      { label: "invalid UTF-8", body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), type: J },
      { label: "an unknown field", body: Buffer.from(JSON.stringify({ sessionId: strangers, all: true })), type: J },
      { label: "a session id that is not a uuid", body: Buffer.from(JSON.stringify({ sessionId: "1 or 1=1" })), type: J },
      { label: "a session id with control characters", body: Buffer.from(JSON.stringify({ sessionId: `${strangers}\u0000` })), type: J },
      { label: "an over-long session id", body: Buffer.from(JSON.stringify({ sessionId: "a".repeat(5000) })), type: J },
      { label: "a number", body: Buffer.from(JSON.stringify({ sessionId: 1 })), type: J },
      { label: "the current session", body: Buffer.from(JSON.stringify({ sessionId: own })), type: J },
      { label: "over 16 KiB", body: Buffer.alloc(20_000, 0x20), type: J },
    ];
    const failures: string[] = [];
    for (const path of ["/api/account/sessions/end", "/api/account/sessions/end-others"]) {
      for (const c of bodies) {
        if (path.endsWith("end-others") && c.label === "the current session") continue;
        const headers: Record<string, string> = { origin: APP_ORIGIN };
        if (c.type) headers["content-type"] = c.type;
        const res = await ctx.post(path, { headers, ...(c.body !== undefined ? { data: c.body } : {}) });
        const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: { message?: string } } | null;
        const ok = res.status() >= 400 && res.status() < 500 && body?.ok === false && (body.error?.message ?? "").length > 0;
        if (!ok) failures.push(`${path} ${c.label}: ${res.status()} ${JSON.stringify(body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await count()).toBe(2);

    // Another user's session id answers as an unknown one would, and stays.
    const foreign = await ctx.post("/api/account/sessions/end", { headers: { origin: APP_ORIGIN }, data: { sessionId: strangers } });
    expect(foreign.status()).toBe(200);
    expect(await foreign.json()).toMatchObject({ ok: true, ended: false });
    expect(await sql("select 1 from auth.sessions where id = $1::uuid", [strangers])).toHaveLength(1);
    expect(await count()).toBe(2);
  } finally {
    await ctx.dispose();
    await other.dispose();
    await stranger.dispose();
  }
});
