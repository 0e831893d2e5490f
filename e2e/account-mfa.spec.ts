import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { TOTP } from "otpauth";
import { APP_ORIGIN, decodeJwt, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

const code = (secret: string, offsetSeconds = 0) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + offsetSeconds * 1000 });

/** A six-digit code that is none of the codes the Auth server accepts around now. */
function wrongCode(secret: string): string {
  const valid = new Set([-60, -30, 0, 30, 60].map((s) => code(secret, s)));
  for (let n = 0; ; n++) {
    const candidate = String((123456 + n * 7919) % 1_000_000).padStart(6, "0");
    if (!valid.has(candidate)) return candidate;
  }
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const factorsOf = (userId: string) =>
  sql<{ id: string; status: string; friendly_name: string }>("select id::text, status::text, friendly_name from auth.mfa_factors where user_id = $1::uuid", [userId]);

const auditActions = async (userId: string) =>
  (await sql<{ action: string }>("select payload ->> 'action' as action from auth.audit_log_entries where payload ->> 'actor_id' = $1 order by created_at", [userId])).map((r) => r.action);

test("two-factor end to end: enrol with the QR code's secret, sign-in then asks for the code on every page, a wrong code is refused, the right one reaches the account, and the factor is removed", async ({ browser }) => {
  const who = { email: uniqueEmail("mfa-e2e"), name: "Two Factor" };
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, "google", who);
    const userId = await userIdByEmail(who.email);

    // Enrol.
    await page.goto("/account/two-factor");
    await expect(page.getByRole("heading", { level: 1, name: "Two-factor authentication" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Two-factor authentication" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("no-factors")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel("Name for the authenticator").fill("My phone");
    await page.getByRole("button", { name: "Add an authenticator app" }).click();
    const qr = page.getByTestId("totp-qr");
    await expect(qr).toBeVisible();
    expect(await qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
    // The QR code is an image: no SVG markup of the Auth server's is in the page.
    expect(await page.locator("main svg").count()).toBe(0);
    const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    expect(await seriousViolations(page)).toEqual([]);
    expect((await factorsOf(userId)).map((f) => f.status)).toEqual(["unverified"]);

    await page.getByLabel("Code from the app").fill(wrongCode(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByTestId("enrol-code-error")).toHaveText(/That code is not right/);
    expect((await factorsOf(userId)).map((f) => f.status)).toEqual(["unverified"]);

    await page.getByLabel("Code from the app").fill(code(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByTestId("mfa-notice")).toHaveText("My phone is on. Signing in now also asks for a code.");
    await expect(page.getByTestId("factor")).toHaveCount(1);
    await expect(page.getByTestId("factor")).toContainText("My phone");
    expect(await factorsOf(userId)).toMatchObject([{ status: "verified", friendly_name: "My phone" }]);
    // This session gave the code: its new token and its session row are aal2.
    const raised = decodeJwt((await sessionOf(context)).session.access_token).payload;
    expect(raised.aal).toBe("aal2");
    expect(await sql("select aal::text from auth.sessions where id = $1::uuid", [raised.session_id as string])).toEqual([{ aal: "aal2" }]);
    expect(await auditActions(userId)).toContain("factor_in_progress");
    await page.reload();
    await expect(page.getByTestId("factor")).toHaveCount(1);

    // Sign out, sign in again: the provider alone is not enough.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/login\?signed_out=1$/);
    await page.goto(`/login?next=${encodeURIComponent("/account/devices")}`);
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await page.locator("#email").fill(who.email);
    await page.locator("#name").fill(who.name);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.waitForURL((url) => url.port === "3000" && url.pathname === "/auth/mfa");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/account/devices");
    await expect(page.getByRole("heading", { level: 1, name: "Enter your code" })).toBeVisible();
    const pending = decodeJwt((await sessionOf(context)).session.access_token).payload;
    expect(pending.aal).toBe("aal1");
    expect(await seriousViolations(page)).toEqual([]);

    // Every other page sends the session to the prompt, and the routes refuse it with a clear code.
    for (const path of ["/account", "/account/two-factor", "/account/devices", "/account/export", "/login", "/"]) {
      await page.goto(path);
      await expect(page, path).toHaveURL(/\/auth\/mfa\?next=/);
    }
    for (const path of ["/api/account/mfa", "/api/account/sessions", "/api/account/profile"]) {
      const res = await page.request.get(path);
      expect(res.status(), path).toBe(403);
      expect(await res.json(), path).toMatchObject({ ok: false, error: { code: "mfa_required" } });
    }
    const [factor] = await factorsOf(userId);
    const removeAal1 = await page.request.post("/api/account/mfa/remove", { headers: { origin: APP_ORIGIN }, data: { factorId: factor?.id } });
    expect(removeAal1.status()).toBe(403);
    expect(await removeAal1.json()).toMatchObject({ error: { code: "mfa_required" } });
    expect(await factorsOf(userId)).toHaveLength(1);

    // A wrong code is refused inline; the session stays aal1.
    await page.goto(`/auth/mfa?next=${encodeURIComponent("/account/devices")}`);
    await page.getByLabel("Code from your authenticator app").fill(wrongCode(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByTestId("mfa-error")).toHaveText(/That code is not right/);
    await expect(page).toHaveURL(/\/auth\/mfa/);
    await page.getByLabel("Code from your authenticator app").fill("12ab");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByTestId("mfa-error")).toHaveText("Enter the 6-digit code from your authenticator app");
    expect(await sql("select aal::text from auth.sessions where id = $1::uuid", [pending.session_id as string])).toEqual([{ aal: "aal1" }]);

    // The right code: on to next, fully signed in.
    await page.getByLabel("Code from your authenticator app").fill(code(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => url.pathname === "/account/devices");
    await expect(page.getByRole("heading", { level: 1, name: "Devices and sessions" })).toBeVisible();
    expect(decodeJwt((await sessionOf(context)).session.access_token).payload.aal).toBe("aal2");
    await page.goto("/auth/mfa?next=/account");
    await expect(page).toHaveURL(/\/account$/);

    // Remove the factor: a sensitive action this aal2 session may take.
    await page.goto("/account/two-factor");
    await page.getByRole("button", { name: "Remove My phone" }).click();
    await expect(page.getByTestId("mfa-notice")).toHaveText("My phone was removed.");
    await expect(page.getByTestId("no-factors")).toBeVisible();
    expect(await factorsOf(userId)).toEqual([]);
    expect(await auditActions(userId)).toContain("factor_unenrolled");

    // Both changes are in the person's security activity, newest first.
    await page.goto("/account/activity");
    const events = page.getByTestId("activity-event");
    await expect(events.filter({ hasText: "Two-factor method removed" })).toHaveCount(1);
    await expect(events.filter({ hasText: "Two-factor method added" })).toHaveCount(1);
    const titles = await events.allTextContents();
    expect(titles.findIndex((t) => t.includes("Two-factor method removed"))).toBeLessThan(titles.findIndex((t) => t.includes("Two-factor method added")));
  } finally {
    await context.close();
  }
});

test("an aal1 session with a factor gets nothing: the page's data, the routes and removal are all refused", async ({ playwright }) => {
  const who = { email: uniqueEmail("mfa-aal1"), name: "Half Signed" };
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(ctx, who);
    const userId = await userIdByEmail(who.email);
    const enrol = await ctx.post("/api/account/mfa/enroll", { headers: { origin: APP_ORIGIN }, data: { name: "Phone" } });
    expect(enrol.status(), await enrol.text()).toBe(200);
    const { enrolment } = (await enrol.json()) as { enrolment: { factorId: string; secret: string; qrCode: string } };
    expect(enrolment.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    // An unfinished enrolment protects nothing and holds nobody at the prompt.
    expect((await ctx.get("/api/account/mfa")).status()).toBe(200);
    const verified = await ctx.post("/api/account/mfa/verify", { headers: { origin: APP_ORIGIN }, data: { factorId: enrolment.factorId, code: code(enrolment.secret) } });
    expect(verified.status(), await verified.text()).toBe(200);

    // A second sign-in of the same person (aal1).
    const later = await playwright.request.newContext({ baseURL: APP_ORIGIN });
    try {
      const landed = await signInByRequest(later, who);
      expect(new URL(landed.url()).pathname).toBe("/auth/mfa");
      const account = await later.get("/account", { maxRedirects: 0 });
      expect(account.status()).toBeGreaterThanOrEqual(300);
      expect(account.status()).toBeLessThan(400);
      expect(account.headers().location).toMatch(/\/auth\/mfa\?next=%2Faccount$/);
      const remove = await later.post("/api/account/mfa/remove", { headers: { origin: APP_ORIGIN }, data: { factorId: enrolment.factorId } });
      expect(remove.status()).toBe(403);
      const enrolAgain = await later.post("/api/account/mfa/enroll", { headers: { origin: APP_ORIGIN }, data: { name: "Other" } });
      expect(enrolAgain.status()).toBe(403);
      expect(await factorsOf(userId)).toMatchObject([{ status: "verified", friendly_name: "Phone" }]);
      // Cross-site: refused before anything else.
      const csrf = await later.post("/auth/mfa/verify", { headers: { origin: "https://evil.example" }, data: { code: code(enrolment.secret) } });
      expect(csrf.status()).toBe(403);
      // An off-list next falls back to /account.
      const ok = await later.post("/auth/mfa/verify", { headers: { origin: APP_ORIGIN }, data: { code: code(enrolment.secret), next: "https://evil.example/account" } });
      expect(ok.status(), await ok.text()).toBe(200);
      expect(await ok.json()).toEqual({ ok: true, next: "/account" });
      expect((await later.get("/api/account/mfa")).status()).toBe(200);
    } finally {
      await later.dispose();
    }
  } finally {
    await ctx.dispose();
  }
});

test("fuzz: malformed bodies to the two-factor routes get a 4xx with a message, never a 5xx, and change nothing", async ({ playwright }) => {
  const who = { email: uniqueEmail("mfa-fuzz"), name: "Fuzz Factors" };
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    await signInByRequest(ctx, who);
    const userId = await userIdByEmail(who.email);
    const J = "application/json";
    const uuid = "6f1c1d5e-0000-4000-8000-000000000000";
    const bodies: { label: string; body?: Buffer; type?: string }[] = [
      { label: "no body" },
      { label: "empty JSON body", body: Buffer.alloc(0), type: J },
      { label: "text/plain", body: Buffer.from("{}"), type: "text/plain" },
      { label: "a form", body: Buffer.from("code=123456"), type: "application/x-www-form-urlencoded" },
      { label: "not JSON", body: Buffer.from("{"), type: J },
      { label: "null", body: Buffer.from("null"), type: J },
      { label: "an array", body: Buffer.from("[]"), type: J },
      { label: "invalid UTF-8", body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), type: J },
      { label: "empty object", body: Buffer.from("{}"), type: J },
      { label: "an unknown field", body: Buffer.from(JSON.stringify({ factorId: uuid, code: "123456", name: "x", extra: 1 })), type: J },
      { label: "a factor id that is not a uuid", body: Buffer.from(JSON.stringify({ factorId: "1 or 1=1", code: "123456" })), type: J },
      { label: "an unknown factor", body: Buffer.from(JSON.stringify({ factorId: uuid, code: "123456" })), type: J },
      { label: "a code of letters", body: Buffer.from(JSON.stringify({ factorId: uuid, code: "abcdef" })), type: J },
      { label: "a numeric code", body: Buffer.from(JSON.stringify({ factorId: uuid, code: 123456 })), type: J },
      { label: "an over-long code", body: Buffer.from(JSON.stringify({ code: "1".repeat(5000) })), type: J },
      { label: "an empty name", body: Buffer.from(JSON.stringify({ name: "  " })), type: J },
      { label: "an over-long name", body: Buffer.from(JSON.stringify({ name: "n".repeat(500) })), type: J },
      { label: "over 16 KiB", body: Buffer.alloc(20_000, 0x20), type: J },
    ];
    const failures: string[] = [];
    for (const path of ["/api/account/mfa/enroll", "/api/account/mfa/verify", "/api/account/mfa/remove", "/auth/mfa/verify"]) {
      for (const c of bodies) {
        const headers: Record<string, string> = { origin: APP_ORIGIN };
        if (c.type) headers["content-type"] = c.type;
        for (const client of [ctx, anonymous]) {
          const res = await client.post(path, { headers, ...(c.body !== undefined ? { data: c.body } : {}) });
          const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: { message?: string } } | null;
          const ok = res.status() >= 400 && res.status() < 500 && body?.ok === false && (body.error?.message ?? "").length > 0;
          if (!ok) failures.push(`${path} ${c.label} ${client === ctx ? "signed in" : "signed out"}: ${res.status()} ${JSON.stringify(body)}`);
        }
      }
      const crossSite = await ctx.post(path, { headers: { origin: "https://evil.example" }, data: { name: "x" } });
      if (crossSite.status() !== 403) failures.push(`${path} cross-site: ${crossSite.status()}`);
    }
    expect(failures).toEqual([]);
    expect(await factorsOf(userId)).toEqual([]);
    expect((await anonymous.get("/api/account/mfa")).status()).toBe(401);
  } finally {
    await ctx.dispose();
    await anonymous.dispose();
  }
});

test("a second authenticator can be added; a page that sent the person here is offered once two-factor is on, an off-site one never", async ({ browser }) => {
  const who = { email: uniqueEmail("mfa-next"), name: "Second Phone" };
  const context = await browser.newContext();
  const page = await context.newPage();
  const enrol = async (name: string) => {
    await page.getByLabel("Name for the authenticator").fill(name);
    await page.getByRole("button", { name: /^Add (an|another) authenticator app$/ }).click();
    const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
    await page.getByLabel("Code from the app").fill(code(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByTestId("mfa-notice")).toHaveText(`${name} is on. Signing in now also asks for a code.`);
  };
  try {
    await signIn(page, "google", who);
    const userId = await userIdByEmail(who.email);

    await page.goto(`/account/two-factor?next=${encodeURIComponent("https://evil.example/admin")}`);
    // A bad name is refused at the field, keeping what was typed; nothing reaches the Auth server.
    for (const [typed, message] of [
      ["<b>Phone</b>", "A name cannot contain < or >"],
      ["x".repeat(61), "Keep the name under 60 characters"],
      ["   ", "Give the authenticator a name"],
    ] as const) {
      await page.getByLabel("Name for the authenticator").fill(typed);
      await page.getByRole("button", { name: "Add an authenticator app" }).click();
      await expect(page.getByTestId("enrol-name-error")).toHaveText(message);
      await expect(page.getByLabel("Name for the authenticator")).toHaveValue(typed);
      await expect(page.getByLabel("Name for the authenticator")).toHaveAttribute("aria-invalid", "true");
    }
    expect(await factorsOf(userId)).toEqual([]);
    await enrol("Phone");
    await expect(page.getByTestId("enrol-name-error")).toHaveCount(0);
    await expect(page.getByTestId("mfa-continue")).toHaveCount(0);

    await page.goto(`/account/two-factor?next=${encodeURIComponent("/admin/users?q=ada")}`);
    await expect(page.getByTestId("mfa-continue")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Add another authenticator app" })).toBeVisible();
    await enrol("Tablet");
    await expect(page.getByTestId("factor")).toHaveCount(2);
    await expect(page.getByTestId("mfa-continue")).toHaveAttribute("href", "/admin/users?q=ada");
    expect((await factorsOf(userId)).map((f) => `${f.friendly_name}:${f.status}`).sort()).toEqual(["Phone:verified", "Tablet:verified"]);
  } finally {
    await context.close();
  }
});
