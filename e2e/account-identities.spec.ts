import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN, decodeJwt, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

const identity = (page: Page, provider: string) => page.locator(`[data-testid="identity"][data-provider="${provider}"]`);

/** On the identities page: Link Apple, then the Apple emulator's consent page with the given Apple ID. */
async function linkApple(page: Page, appleEmail: string): Promise<void> {
  await page.goto("/account/identities");
  await page.getByRole("button", { name: "Link Apple", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Apple");
  await page.locator("#email").fill(appleEmail);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && url.pathname === "/account/identities");
}

async function userOf(browser: Browser, provider: "google" | "apple", email: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, provider, { email });
    return decodeJwt((await sessionOf(context)).session.access_token).payload.sub;
  } finally {
    await context.close();
  }
}

const auditRows = (userId: string, action: string) =>
  sql<{ after: { provider: string }; actor_id: string }>(
    "select after, actor_id from public.audit_events where target_user_id = $1::uuid and action = $2 order by created_at",
    [userId, action],
  );

test("link Apple to a Google account: the page says so and lists both; signing in with either opens the same account", async ({ page, browser }) => {
  const google = uniqueEmail("ident-google");
  const apple = uniqueEmail("ident-apple");
  await signIn(page, "google", { email: google, name: "Link Both" });
  const userId = await userIdByEmail(google);
  await page.goto("/account/identities");
  await expect(page.getByRole("heading", { level: 1, name: "Linked identities" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Linked identities" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("identity")).toHaveCount(1);
  await expect(identity(page, "google")).toContainText(google);
  await expect(page.getByRole("button", { name: "Link Google", exact: true })).toHaveCount(0);

  await linkApple(page, apple);
  expect(new URL(page.url()).searchParams.get("linked")).toBe("apple");
  await expect(page.getByTestId("identities-notice")).toHaveText("Apple is now linked: you can sign in with it.");
  await expect(page.getByTestId("identity")).toHaveCount(2);
  await expect(identity(page, "apple")).toContainText(apple);
  await expect(identity(page, "apple")).toContainText("Linked");
  await expect(page.getByRole("button", { name: /^Link / })).toHaveCount(0);
  const audit = await auditRows(userId, "identity.link");
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actor_id: userId, after: { provider: "apple" } });

  // Reloading the page with ?linked=apple writes nothing more.
  await page.reload();
  expect(await auditRows(userId, "identity.link")).toHaveLength(1);

  expect(await userOf(browser, "apple", apple)).toBe(userId);
  expect(await userOf(browser, "google", google)).toBe(userId);
});

test("unlinking the last identity is refused with the reason, on the page and to a direct call", async ({ page }) => {
  const google = uniqueEmail("ident-last");
  await signIn(page, "google", { email: google, name: "Only One" });
  const userId = await userIdByEmail(google);
  await page.goto("/account/identities");
  await page.getByRole("button", { name: `Unlink Google (${google})` }).click();
  await expect(page.getByTestId("identities-notice")).toHaveText(
    "Google was not unlinked. This is the only way you can sign in to your account, so it cannot be unlinked. Link another provider first.",
  );
  await expect(page.getByTestId("identity")).toHaveCount(1);
  const [only] = await sql<{ id: string }>("select id from auth.identities where user_id = $1::uuid", [userId]);
  const direct = await page.request.post("/api/account/identities/unlink", { headers: { origin: APP_ORIGIN }, data: { identityId: only!.id } });
  expect(direct.status()).toBe(400);
  expect(await direct.json()).toMatchObject({ ok: false, error: { code: "invalid_input", message: expect.stringContaining("only way you can sign in") } });
  expect(await sql("select 1 from auth.identities where user_id = $1::uuid", [userId])).toHaveLength(1);
  expect(await auditRows(userId, "identity.unlink")).toHaveLength(0);
});

test("unlink Apple needs a recent sign-in: refused with the step-up prompt, done after signing in again", async ({ page, browser }) => {
  const google = uniqueEmail("ident-stepup");
  const apple = uniqueEmail("ident-stepup-apple");
  await signIn(page, "google", { email: google, name: "Step Unlink" });
  const userId = await userIdByEmail(google);
  await linkApple(page, apple);
  await expect(page.getByTestId("identity")).toHaveCount(2);
  await sql(
    `update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes'
     where session_id in (select id from auth.sessions where user_id = $1::uuid)`,
    [userId],
  );
  await page.reload();
  await page.getByRole("button", { name: `Unlink Apple (${apple})` }).click();
  const prompt = page.getByTestId("step-up-prompt");
  await expect(prompt).toContainText("Confirm it's you");
  await expect(page.getByTestId("identities-notice")).toContainText("Apple was not unlinked.");
  await expect(page.getByTestId("identity")).toHaveCount(2);
  const [appleRow] = await sql<{ id: string }>("select id from auth.identities where user_id = $1::uuid and provider = 'apple'", [userId]);
  const direct = await page.request.post("/api/account/identities/unlink", { headers: { origin: APP_ORIGIN }, data: { identityId: appleRow!.id } });
  expect(direct.status()).toBe(403);
  expect(await direct.json()).toMatchObject({ ok: false, error: { code: "step_up_required", requirement: "recent_sign_in" } });

  await prompt.getByRole("button", { name: "Sign in again with Google" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Google");
  await page.locator("#email").fill(google);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && url.pathname === "/account/identities");
  await page.getByRole("button", { name: `Unlink Apple (${apple})` }).click();
  await expect(page.getByTestId("identities-notice")).toHaveText("Apple is no longer linked.");
  await expect(page.getByTestId("identity")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Link Apple", exact: true })).toBeVisible();
  expect(await sql("select 1 from auth.identities where user_id = $1::uuid and provider = 'apple'", [userId])).toHaveLength(0);
  const audit = await auditRows(userId, "identity.unlink");
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actor_id: userId, after: { provider: "apple" } });

  // That Apple ID no longer opens this account: signing in with it starts another one.
  expect(await userOf(browser, "apple", apple)).not.toBe(userId);
});

test("linking an Apple ID that belongs to another account: a clear error, nothing linked", async ({ page, browser }) => {
  const taken = uniqueEmail("ident-taken-apple");
  const otherUser = await userOf(browser, "apple", taken);
  const google = uniqueEmail("ident-conflict");
  await signIn(page, "google", { email: google, name: "Conflict Case" });
  const userId = await userIdByEmail(google);
  await linkApple(page, taken);
  const url = new URL(page.url());
  expect(url.searchParams.get("link_error")).toBe("identity_already_exists");
  await expect(page.getByTestId("identities-notice")).toHaveText(
    "That Apple ID already belongs to another account. Sign in with it to use that account, or link a different one.",
  );
  await expect(page.getByRole("alert").filter({ hasText: "already belongs" })).toBeVisible();
  await expect(page.getByTestId("identity")).toHaveCount(1);
  expect(await auditRows(userId, "identity.link")).toHaveLength(0);
  expect(await sql("select 1 from auth.identities where user_id = $1::uuid and provider = 'apple'", [otherUser])).toHaveLength(1);
  // Still signed in to the same account.
  await page.goto("/account/identities");
  await expect(identity(page, "google")).toContainText(google);
});

test("fuzz: malformed bodies and forged callbacks never get a 5xx, and change nothing", async ({ playwright }) => {
  const who = { email: uniqueEmail("ident-fuzz"), name: "Fuzz Identities" };
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(ctx, who);
    const userId = await userIdByEmail(who.email);
    const [own] = await sql<{ id: string }>("select id from auth.identities where user_id = $1::uuid", [userId]);
    const J = "application/json";
    const bodies: { label: string; body?: Buffer; type?: string }[] = [
      { label: "no body" },
      { label: "empty JSON body", body: Buffer.alloc(0), type: J },
      { label: "text/plain", body: Buffer.from("{}"), type: "text/plain" },
      { label: "a form", body: Buffer.from("provider=apple"), type: "application/x-www-form-urlencoded" },
      { label: "not JSON", body: Buffer.from("{"), type: J },
      { label: "null", body: Buffer.from("null"), type: J },
      { label: "an array", body: Buffer.from("[]"), type: J },
      { label: "an empty object", body: Buffer.from("{}"), type: J },
      { label: "invalid UTF-8", body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), type: J },
      { label: "an unknown field", body: Buffer.from(JSON.stringify({ provider: "apple", identityId: own!.id, x: 1 })), type: J },
      { label: "an unknown provider", body: Buffer.from(JSON.stringify({ provider: "github" })), type: J },
      { label: "an id that is not a uuid", body: Buffer.from(JSON.stringify({ identityId: "1 or 1=1" })), type: J },
      { label: "a number", body: Buffer.from(JSON.stringify({ identityId: 1, provider: 1 })), type: J },
      { label: "a linked provider", body: Buffer.from(JSON.stringify({ provider: "google" })), type: J },
      { label: "the last identity", body: Buffer.from(JSON.stringify({ identityId: own!.id })), type: J },
      { label: "an unknown identity", body: Buffer.from(JSON.stringify({ identityId: "0b7c3f5e-4f7e-4a51-9b1e-2d9c8a6f1e20" })), type: J },
      { label: "over 16 KiB", body: Buffer.alloc(20_000, 0x20), type: J },
    ];
    const failures: string[] = [];
    for (const path of ["/api/account/identities/link", "/api/account/identities/unlink"]) {
      for (const c of bodies) {
        const headers: Record<string, string> = { origin: APP_ORIGIN };
        if (c.type) headers["content-type"] = c.type;
        const res = await ctx.post(path, { headers, ...(c.body !== undefined ? { data: c.body } : {}) });
        const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: { message?: string } } | null;
        const ok = res.status() >= 400 && res.status() < 500 && body?.ok === false && (body.error?.message ?? "").length > 0;
        if (!ok) failures.push(`${path} ${c.label}: ${res.status()} ${JSON.stringify(body)}`);
      }
      // Another origin is refused by the CSRF check.
      const csrf = await ctx.post(path, { headers: { origin: "https://evil.example" }, data: { provider: "apple" } });
      if (csrf.status() !== 403) failures.push(`${path} cross-origin: ${csrf.status()}`);
    }
    // Forged returns to the callback: never a 5xx, never another origin, nothing recorded.
    const callbacks = [
      "/auth/callback?link=apple",
      "/auth/callback?link=apple&code=not-a-code",
      "/auth/callback?link=apple&code=0b7c3f5e-4f7e-4a51-9b1e-2d9c8a6f1e20",
      "/auth/callback?link=apple&error=server_error&error_code=identity_already_exists",
      "/auth/callback?link=apple&next=https://evil.example/&error=access_denied",
      "/auth/callback?link=apple&next=//evil.example&code=x",
      "/auth/callback?link=github&error=server_error",
      `/auth/callback?link=apple&next=${encodeURIComponent("/account/identities?linked=apple")}&error=x`,
    ];
    for (const path of callbacks) {
      const res = await ctx.get(path, { maxRedirects: 0 });
      const location = res.headers()["location"] ?? "";
      if (res.status() !== 303 || !location.startsWith(`${APP_ORIGIN}/`)) failures.push(`${path}: ${res.status()} ${location}`);
    }
    expect(failures).toEqual([]);
    const conflict = await ctx.get("/auth/callback?link=apple&error=server_error&error_code=identity_already_exists", { maxRedirects: 0 });
    expect(conflict.headers()["location"]).toBe(`${APP_ORIGIN}/account/identities?link_error=identity_already_exists&provider=apple`);
    expect(await sql("select 1 from auth.identities where user_id = $1::uuid", [userId])).toHaveLength(1);
    expect(await sql("select 1 from public.audit_events where target_user_id = $1::uuid and action like 'identity.%'", [userId])).toHaveLength(0);
    // Still signed in.
    expect((await ctx.get("/api/account/identities")).status()).toBe(200);
  } finally {
    await ctx.dispose();
  }
});

test("axe: the identities page, with a message and the step-up prompt, has no serious or critical violations", async ({ page }) => {
  const google = uniqueEmail("ident-axe");
  await signIn(page, "google", { email: google, name: "Axe Identities" });
  const serious = async () =>
    (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  await page.goto("/account/identities?link_error=identity_already_exists&provider=apple");
  await expect(page.getByTestId("identities-notice")).toContainText("already belongs");
  expect(await serious()).toEqual([]);
  await sql(
    `update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes'
     where session_id in (select id from auth.sessions where user_id = $1::uuid)`,
    [await userIdByEmail(google)],
  );
  await page.setViewportSize({ width: 375, height: 800 });
  await page.reload();
  await page.getByRole("button", { name: /^Unlink Google/ }).click();
  await expect(page.getByTestId("step-up-prompt")).toBeVisible();
  expect(await serious()).toEqual([]);
});
