import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ACCOUNT_SECTIONS } from "../components/account/account-sections";
import { APP_ORIGIN, decodeJwt, sessionOf, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

const GOOGLE_PICTURE = "https://example.com/a.png";

type StoredProfile = { display_name: string | null; avatar_url: string | null; avatar_chosen: boolean; audit_rows: number };

async function storedProfile(email: string): Promise<StoredProfile> {
  const [row] = await sql<StoredProfile>(
    `select p.display_name, p.avatar_url, p.avatar_chosen,
            (select count(*)::int from public.audit_events e where e.target_user_id = p.id and e.action like 'profile.%') as audit_rows
     from public.profiles p where p.id = $1::uuid`,
    [await userIdByEmail(email)],
  );
  if (!row) throw new Error(`no profile for ${email}`);
  return row;
}

const nameInput = (page: Page) => page.getByRole("textbox", { name: "Display name" });

/**
 * Puts `codes` (UTF-16 code units, so that lone surrogates and control characters survive the trip) into
 * the display name field as typing would: React sees an input event.
 */
async function typeCodeUnits(page: Page, codes: number[]): Promise<void> {
  await nameInput(page).evaluate((input, units) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
    setValue?.call(input, String.fromCharCode(...units));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, codes);
}

async function fieldHoldsExactly(page: Page, codes: number[]): Promise<boolean> {
  return nameInput(page).evaluate((input, units) => (input as HTMLInputElement).value === String.fromCharCode(...units), codes);
}

const units = (text: string) => Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

test("edit the display name: saved through the route handler, shown at once, kept after a reload, audited", async ({ page }) => {
  const email = uniqueEmail("profile-edit");
  await signIn(page, "google", { email, name: "Old Name" });
  await expect(page.getByRole("heading", { level: 1, name: "Profile" })).toBeVisible();
  await expect(page.getByTestId("account-name")).toHaveText("Old Name");
  await expect(page.getByTestId("account-email")).toHaveText(email);
  await expect(page.getByTestId("account-provider")).toHaveText("Google");

  await nameInput(page).fill("  Ada   Nouvelle-Écoute 🐉 ");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("display-name-saved")).toHaveText("Saved.");
  await expect(page.getByTestId("account-name")).toHaveText("Ada   Nouvelle-Écoute 🐉");
  expect(await storedProfile(email)).toMatchObject({ display_name: "Ada   Nouvelle-Écoute 🐉", audit_rows: 1 });
  const [audit] = await sql<{ actor_id: string; after: unknown }>(
    "select actor_id::text, after from public.audit_events where target_user_id = $1::uuid and action = 'profile.update'",
    [await userIdByEmail(email)],
  );
  expect(audit?.actor_id).toBe(await userIdByEmail(email));
  expect(audit?.after).toEqual({ field: "display_name" });

  await page.reload();
  await expect(page.getByTestId("account-name")).toHaveText("Ada   Nouvelle-Écoute 🐉");
  await expect(nameInput(page)).toHaveValue("Ada   Nouvelle-Écoute 🐉");
});

test("each bad display name: an inline error, the typed text kept, nothing saved", async ({ page }) => {
  const email = uniqueEmail("profile-bad");
  await signIn(page, "google", { email, name: "Kept Name" });
  const cases: { label: string; codes: number[]; error: RegExp }[] = [
    { label: "empty", codes: units(""), error: /^Enter a display name$/ },
    { label: "only spaces", codes: units("    "), error: /^Enter a display name$/ },
    { label: "81 characters", codes: units("x".repeat(81)), error: /^Use at most 80 characters \(this has 81\)$/ },
    { label: "a tab", codes: units("Tab\there"), error: /control characters/ },
    { label: "an escape character", codes: units("Bell\u001b[31m"), error: /control characters/ },
    { label: "a right-to-left override", codes: units("evil\u202egnp.exe"), error: /control characters/ },
    { label: "markup", codes: units("<img src=x onerror=alert(1)>"), error: /^A display name cannot contain < or >$/ },
    { label: "a lone surrogate", codes: [0x41, 0xd800, 0x42], error: /not valid Unicode/ },
  ];
  for (const c of cases) {
    await typeCodeUnits(page, c.codes);
    await page.getByRole("button", { name: "Save" }).click();
    const error = page.getByTestId("display-name-error");
    await expect(error, c.label).toHaveText(c.error);
    await expect(nameInput(page), c.label).toHaveAttribute("aria-invalid", "true");
    expect((await nameInput(page).getAttribute("aria-describedby"))?.split(" "), c.label).toContain(await error.getAttribute("id"));
    expect(await fieldHoldsExactly(page, c.codes), `${c.label}: the field still holds what was typed`).toBe(true);
    await expect(page.getByTestId("account-name"), c.label).toHaveText("Kept Name");
  }
  // The markup was text all along: no element was created from it.
  expect(await page.locator("main img[src='x']").count()).toBe(0);

  // Fixing the text clears the error as it is typed; nothing of the bad attempts reached the database.
  await nameInput(page).fill("Fixed Name");
  await expect(page.getByTestId("display-name-error")).toHaveCount(0);
  expect(await storedProfile(email)).toMatchObject({ display_name: "Kept Name", audit_rows: 0 });
  await page.reload();
  await expect(page.getByTestId("account-name")).toHaveText("Kept Name");
});

test("a refused save rolls the name back, says why, and keeps what was typed", async ({ page, context }) => {
  const email = uniqueEmail("profile-rollback");
  await signIn(page, "google", { email, name: "Before Name" });
  await expect(page.getByTestId("account-name")).toHaveText("Before Name");
  // The session ends elsewhere (another device signed this one out): the next save is refused with a 401.
  const sessionId = decodeJwt((await sessionOf(context)).session.access_token).payload.session_id as string;
  await sql("delete from auth.sessions where id = $1::uuid", [sessionId]);

  await nameInput(page).fill("After Name");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("display-name-failure")).toHaveText("Your name was not saved. Your session has ended. Sign in again to continue.");
  await expect(page.getByTestId("account-name")).toHaveText("Before Name");
  await expect(nameInput(page)).toHaveValue("After Name");
  expect(await storedProfile(email)).toMatchObject({ display_name: "Before Name", audit_rows: 0 });
});

test("choose an avatar: initials or the picture of a linked identity, kept across sign-ins; any other URL is refused", async ({ page }) => {
  const email = uniqueEmail("profile-avatar");
  await signIn(page, "google", { email, name: "Avery Picture" });
  const header = page.locator("main").locator(`img[src="${GOOGLE_PICTURE}"]`).first();
  await expect(header).toBeVisible();
  const google = page.getByRole("radio", { name: "Google picture" });
  const initials = page.getByRole("radio", { name: "Initials" });
  await expect(google).toBeChecked();
  const use = page.getByRole("button", { name: "Use this avatar" });
  await expect(use).toBeDisabled();

  await initials.check();
  await use.click();
  await expect(page.getByTestId("avatar-saved")).toHaveText("Avatar updated.");
  await expect(page.locator("main img")).toHaveCount(1); // only the Google option's preview is left
  await expect(page.locator("main span[aria-hidden='true']", { hasText: /^AP$/ }).first()).toBeVisible();
  expect(await storedProfile(email)).toMatchObject({ avatar_url: null, avatar_chosen: true, audit_rows: 1 });

  // Signing in again brings Google's picture in the metadata; the chosen initials stay.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, "google", { email });
  await expect(page.getByRole("radio", { name: "Initials" })).toBeChecked();
  expect(await storedProfile(email)).toMatchObject({ avatar_url: null, avatar_chosen: true });

  await page.getByRole("radio", { name: "Google picture" }).check();
  await page.getByRole("button", { name: "Use this avatar" }).click();
  await expect(page.getByTestId("avatar-saved")).toBeVisible();
  expect(await storedProfile(email)).toMatchObject({ avatar_url: GOOGLE_PICTURE, avatar_chosen: true, audit_rows: 2 });
  const [audit] = await sql<{ after: unknown }>(
    "select after from public.audit_events where target_user_id = $1::uuid and action = 'profile.avatar' and after->>'avatar' = 'google'",
    [await userIdByEmail(email)],
  );
  expect(audit?.after).toEqual({ avatar: "google" });

  for (const avatarUrl of ["https://tracker.example/pixel.gif", "https://example.com/a.png?x=1", "javascript:alert(1)"]) {
    const res = await page.request.post("/api/account/profile/avatar", { headers: { origin: APP_ORIGIN }, data: { avatarUrl } });
    expect(res.status(), avatarUrl).toBe(400);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(body.error.message).toMatch(/^avatarUrl: Choose/);
  }
  expect(await storedProfile(email)).toMatchObject({ avatar_url: GOOGLE_PICTURE, audit_rows: 2 });
});

test("keyboard only: skip link, the section nav with aria-current and a visible focus ring, then editing the name", async ({ page }) => {
  await signIn(page, "google", { email: uniqueEmail("profile-keys"), name: "Kit Keys" });
  await page.goto("/account");
  await page.locator("body").focus();

  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();

  const nav = page.getByRole("navigation", { name: "Account settings" });
  const links = nav.getByRole("link");
  const linked = ACCOUNT_SECTIONS.filter((s) => s.href !== null);
  await expect(links).toHaveCount(linked.length);
  await expect(nav.getByRole("link", { name: "Profile" })).toHaveAttribute("aria-current", "page");
  await expect(nav.locator("[aria-current]")).toHaveCount(1);

  // Tab past the header's sign-out button into the nav, through every section link.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeFocused();
  for (const section of linked) {
    await page.keyboard.press("Tab");
    const link = nav.getByRole("link", { name: section.label, exact: true });
    await expect(link).toBeFocused();
    const ring = await link.evaluate((el) => getComputedStyle(el).boxShadow);
    expect(ring, `${section.label} shows where the focus is`).not.toBe("none");
  }
  const last = linked[linked.length - 1];
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`${last?.href}$`));
  await expect(nav.getByRole("link", { name: last?.label, exact: true })).toHaveAttribute("aria-current", "page");

  // The skip link moves focus to the content; the name is edited and saved without a mouse.
  await page.goto("/account");
  await page.locator("body").focus();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.locator("#account-content")).toBeFocused();
  let guard = 0;
  while (!(await nameInput(page).evaluate((el) => el === document.activeElement)) && guard++ < 20) await page.keyboard.press("Tab");
  await expect(nameInput(page)).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("Kit Keyboard");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("display-name-saved")).toBeVisible();
  await expect(page.getByTestId("account-name")).toHaveText("Kit Keyboard");
});

test("at 375 px wide: nothing overflows sideways, the nav and the form are usable", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  const email = uniqueEmail("profile-narrow");
  await signIn(page, "google", { email, name: "Nora Narrow With A Rather Long Display Name Indeed" });
  await expect(page.getByTestId("account-name")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const profileLink = page.getByRole("navigation", { name: "Account settings" }).getByRole("link", { name: "Profile" });
  await expect(profileLink).toBeInViewport();
  for (const control of [nameInput(page), page.getByRole("button", { name: "Save" }), page.getByRole("button", { name: "Use this avatar" })]) {
    const box = await control.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 375).toBe(true);
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(24);
  }
  await nameInput(page).fill("Nora N.");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("account-name")).toHaveText("Nora N.");
  expect(await storedProfile(email)).toMatchObject({ display_name: "Nora N." });
});

test("axe: no serious or critical violations on any account page, wide and narrow, with errors shown", async ({ page }) => {
  await signIn(page, "google", { email: uniqueEmail("profile-axe"), name: "Axe Person" });
  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
    await page.setViewportSize(viewport);
    for (const section of ACCOUNT_SECTIONS) {
      if (section.href === null) continue;
      await page.goto(section.href);
      await expect(page.getByRole("navigation", { name: "Account settings" })).toBeVisible();
      expect(await seriousViolations(page), `${section.href} at ${viewport.width} px`).toEqual([]);
    }
  }
  await page.goto("/account");
  await nameInput(page).fill("<b>");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("display-name-error")).toBeVisible();
  expect(await seriousViolations(page), "/account with an inline error").toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------
// Fuzz: malformed requests to the profile route handlers never get a 5xx and never change anything.

/** A small deterministic PRNG (mulberry32): a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Malformed = { label: string; body?: Buffer; type?: string };

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), "utf8");

function malformedBodies(field: "displayName" | "avatarUrl"): Malformed[] {
  const J = "application/json";
  const cases: Malformed[] = [
    { label: "no body, no content type" },
    { label: "no body, JSON content type", type: J },
    { label: "empty body", body: Buffer.alloc(0), type: J },
    { label: "JSON sent as text/plain", body: json({ [field]: "Ada" }), type: "text/plain" },
    { label: "JSON without a content type", body: json({ [field]: "Ada" }) },
    { label: "a form post", body: Buffer.from(`${field}=Ada`), type: "application/x-www-form-urlencoded" },
    { label: "multipart", body: Buffer.from(`--b\r\nContent-Disposition: form-data; name="${field}"\r\n\r\nAda\r\n--b--\r\n`), type: "multipart/form-data; boundary=b" },
    { label: "JSON in latin1", body: json({ [field]: "Ada" }), type: "application/json; charset=iso-8859-1" },
    { label: "not JSON", body: Buffer.from("{not json"), type: J },
    { label: "truncated JSON", body: Buffer.from(`{"${field}":"Ad`), type: J },
    { label: "trailing garbage", body: Buffer.from(`{"${field}":"Ada"}}`), type: J },
    { label: "single quotes", body: Buffer.from(`{'${field}':'Ada'}`), type: J },
    { label: "null", body: json(null), type: J },
    { label: "an array", body: json([{ [field]: "Ada" }]), type: J },
    { label: "a string", body: json("Ada"), type: J },
    { label: "a number", body: json(42), type: J },
    { label: "an empty object", body: json({}), type: J },
    { label: `${field}: a number`, body: json({ [field]: 42 }), type: J },
    { label: `${field}: an object`, body: json({ [field]: { toString: "x" } }), type: J },
    { label: `${field}: an array`, body: json({ [field]: ["Ada"] }), type: J },
    { label: `${field}: true`, body: json({ [field]: true }), type: J },
    { label: "an unknown field", body: json({ [field]: field === "displayName" ? "Ada" : null, role: "admin" }), type: J },
    { label: "only unknown fields", body: json({ userId: "00000000-0000-4000-8000-000000000000" }), type: J },
    { label: "__proto__", body: Buffer.from(`{"${field}":"Ada","__proto__":{"admin":true}}`), type: J },
    { label: "81 characters", body: json({ [field]: "x".repeat(81) }), type: J },
    { label: "10,000 characters", body: json({ [field]: "x".repeat(10_000) }), type: J },
    { label: "a body over 16 KiB", body: json({ [field]: "x".repeat(20_000) }), type: J },
    { label: "a megabyte", body: Buffer.alloc(1024 * 1024, 0x20), type: J },
    { label: "deep nesting", body: Buffer.from("[".repeat(8000) + "]".repeat(8000)), type: J },
    { label: "a lone surrogate escape", body: Buffer.from(`{"${field}":"A\\ud800B"}`), type: J },
    { label: "a lone low surrogate escape", body: Buffer.from(`{"${field}":"\\udc00"}`), type: J },
    { label: "a NUL escape", body: Buffer.from(`{"${field}":"A\\u0000B"}`), type: J },
    { label: "markup", body: json({ [field]: "<script>alert(1)</script>" }), type: J },
    { label: "invalid UTF-8: a stray continuation byte", body: Buffer.concat([Buffer.from(`{"${field}":"A`), Buffer.from([0x80]), Buffer.from(`"}`)]), type: J },
    { label: "invalid UTF-8: a truncated sequence", body: Buffer.concat([Buffer.from(`{"${field}":"A`), Buffer.from([0xc3, 0x28]), Buffer.from(`"}`)]), type: J },
    { label: "invalid UTF-8: an encoded surrogate", body: Buffer.concat([Buffer.from(`{"${field}":"A`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`"}`)]), type: J },
    { label: "invalid UTF-8: 0xff", body: Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`"}`)]), type: J },
    { label: "invalid UTF-8: overlong slash", body: Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from([0xc0, 0xaf]), Buffer.from(`"}`)]), type: J },
    { label: "UTF-16 body", body: Buffer.from(`{"${field}":"Ada"}`, "utf16le"), type: J },
  ];
  for (const ch of ["\u0000", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u202e", "\u2028"]) {
    cases.push({ label: `control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0")}`, body: json({ [field]: `A${ch}B` }), type: J });
  }
  const random = prng(field === "displayName" ? 10 : 11);
  const valid = json({ [field]: field === "displayName" ? "Valid Name" : "https://example.com/a.png" });
  for (let i = 0; i < 60; i++) {
    const bytes = Buffer.from(valid);
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    cases.push({ label: `random byte flips #${i}`, body: bytes, type: J });
  }
  for (let i = 0; i < 20; i++) {
    const length = Math.floor(random() * 200);
    cases.push({ label: `random bytes #${i}`, body: Buffer.from(Array.from({ length }, () => Math.floor(random() * 256))), type: J });
  }
  return cases;
}

async function send(ctx: APIRequestContext, path: string, c: Malformed) {
  const headers: Record<string, string> = { origin: APP_ORIGIN };
  if (c.type) headers["content-type"] = c.type;
  return ctx.post(path, { headers, ...(c.body !== undefined ? { data: c.body } : {}), maxRedirects: 0 });
}

test("fuzz: malformed bodies to the profile routes get a 4xx with a message, never a 5xx, and change nothing", async ({ playwright }) => {
  test.setTimeout(180_000);
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const email = uniqueEmail("profile-fuzz");
  try {
    await signInByRequest(ctx, { email, name: "Fuzz Target" });
    const before = await storedProfile(email);
    const failures: string[] = [];
    for (const [path, field] of [["/api/account/profile", "displayName"], ["/api/account/profile/avatar", "avatarUrl"]] as const) {
      for (const c of malformedBodies(field)) {
        const res = await send(ctx, path, c);
        const status = res.status();
        const text = await res.text();
        let message = "";
        try {
          const body = JSON.parse(text) as { ok?: boolean; error?: { message?: string } };
          message = body.ok === false ? (body.error?.message ?? "") : "";
        } catch {
          /* not JSON: recorded below */
        }
        // A random flip can leave a valid request (a name that is still fine): that is a 200, not a failure.
        const acceptable = (status >= 400 && status < 500 && message.length > 0) || (status === 200 && c.label.startsWith("random"));
        if (!acceptable) failures.push(`${path} ${c.label}: ${status} ${text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    // Random flips that stayed valid may have saved a name; every deliberate malformed case changed nothing.
    const after = await storedProfile(email);
    expect(after.avatar_url).toBe(before.avatar_url);
    expect(after.avatar_chosen).toBe(false);

    // Wrong methods and no session: 4xx, never 5xx.
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      const res = await ctx.fetch("/api/account/profile", { method, headers: { origin: APP_ORIGIN, "content-type": "application/json" }, data: "{}" });
      expect(res.status(), method).toBe(405);
    }
    const anonymous = await playwright.request.newContext({ baseURL: APP_ORIGIN });
    for (const c of malformedBodies("displayName").slice(0, 12)) {
      expect((await send(anonymous, "/api/account/profile", c)).status(), c.label).toBe(401);
    }
    await anonymous.dispose();
  } finally {
    await ctx.dispose();
  }
});

test("fuzz, deliberate cases only: nothing is saved and no audit row is written", async ({ playwright }) => {
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const email = uniqueEmail("profile-fuzz-strict");
  try {
    await signInByRequest(ctx, { email, name: "Strict Target" });
    const before = await storedProfile(email);
    for (const [path, field] of [["/api/account/profile", "displayName"], ["/api/account/profile/avatar", "avatarUrl"]] as const) {
      for (const c of malformedBodies(field).filter((m) => !m.label.startsWith("random"))) {
        const res = await send(ctx, path, c);
        expect(res.status(), `${path} ${c.label}`).toBeGreaterThanOrEqual(400);
        expect(res.status(), `${path} ${c.label}`).toBeLessThan(500);
      }
    }
    expect(await storedProfile(email)).toEqual(before);
  } finally {
    await ctx.dispose();
  }
});
