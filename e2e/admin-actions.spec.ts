import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { TOTP } from "otpauth";
import { sessionCookieName, signIn, sql, uniqueEmail, userIdByEmail } from "./support";

// The staff user page's actions end to end, with two browser contexts: an admin who has set up two-factor
// authentication (through the account's enrolment page, the code computed from the secret it shows) acts on
// /admin/users/[id], and the other person's browser finds out on its next request. Nothing is mocked: the
// Google emulator, the Auth server, Postgres and the app's write API.

const code = (secret: string) => new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate();

type Person = { email: string; name: string };
type Browsing = { context: BrowserContext; page: Page; who: Person; id: string };

async function person(browser: Browser, label: string, name: string): Promise<Browsing> {
  const who = { email: uniqueEmail(label), name };
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "google", who);
  return { context, page, who, id: await userIdByEmail(who.email) };
}

async function setRole(id: string, role: "user" | "admin"): Promise<void> {
  await sql("update public.user_roles set role = $1 where user_id = $2", [role, id]);
}

/** Enrols an authenticator app on the two-factor page (the session becomes AAL2); returns to `next` if given. */
async function enrolTotp(page: Page, next?: string): Promise<string> {
  if (!page.url().includes("/account/two-factor")) await page.goto(next ? `/account/two-factor?next=${next}` : "/account/two-factor");
  await page.getByLabel("Name for the authenticator").fill("Admin phone");
  await page.getByRole("button", { name: /^Add (an|another) authenticator app$/ }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
  await page.getByLabel("Code from the app").fill(code(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("mfa-notice")).toHaveText("Admin phone is on. Signing in now also asks for a code.");
  return secret;
}

/** An admin with a verified authenticator, signed in at AAL2. */
async function adminWithTotp(browser: Browser, label: string): Promise<Browsing> {
  const admin = await person(browser, label, "Ada Admin");
  await setRole(admin.id, "admin");
  await enrolTotp(admin.page);
  return admin;
}

async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((c) => c.name === sessionCookieName());
}

/** The person's next request lands on the sign-in page with `reason`, their session cookie gone. */
async function expectSignedOut(b: Browsing, reason: RegExp) {
  await b.page.goto("/account");
  await expect(b.page).toHaveURL(reason);
  await expect(b.page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(await hasSessionCookie(b.context)).toBe(false);
}

const toast = (page: Page, kind: "success" | "error") => page.getByTestId(kind === "success" ? "toast-status" : "toast-alert").getByTestId("toast-text");

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

test("ban B: B is signed out on the next request and cannot sign in until unbanned; the dialog asks for a reason", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-ban-admin");
  const b = await person(browser, "act-ban-b", "Bea Banned");
  try {
    const page = admin.page;
    await page.goto(`/admin/users/${b.id}`);
    await expect(page.getByTestId("session")).toHaveCount(1);
    await page.getByRole("button", { name: "Ban…" }).click();
    const dialog = page.getByRole("dialog", { name: "Ban Bea Banned?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel("Duration")).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);
    // No reason: refused at the field, nothing sent.
    await dialog.getByRole("button", { name: "Ban user" }).click();
    await expect(dialog.getByTestId("ban-reason-error")).toHaveText("Give a reason for the ban.");
    await expect(dialog.getByLabel("Reason")).toBeFocused();
    await expect(dialog.getByLabel("Reason")).toHaveAttribute("aria-invalid", "true");
    // Escape closes it; nothing happened.
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: "Ban…" })).toBeFocused();
    expect((await sql<{ banned_until: Date | null }>("select banned_until from auth.users where id = $1", [b.id]))[0]?.banned_until).toBeNull();

    await page.getByRole("button", { name: "Ban…" }).click();
    await dialog.getByLabel("Duration").selectOption({ label: "7 days" });
    await dialog.getByLabel("Reason").fill("Spam in the forum");
    await dialog.getByRole("button", { name: "Ban user" }).click();
    await expect(dialog).toBeHidden();
    await expect(toast(page, "success").last()).toHaveText(/Banned Bea Banned \(7 days\)\./);
    await expect(page.getByTestId("profile-status")).toHaveText(/^Banned until /);
    await expect(page.getByTestId("no-sessions")).toBeVisible();
    await expect(page.getByTestId("audit-event").first()).toHaveAttribute("data-action", "user.ban");
    await expect(page.getByTestId("audit-event").first().getByTestId("audit-reason")).toHaveText("Reason: Spam in the forum");
    const [row] = await sql<{ days: number }>("select round(extract(epoch from banned_until - now()) / 86400)::int as days from auth.users where id = $1", [b.id]);
    expect(row?.days).toBe(7);

    // B's very next request: signed out. Signing in again is refused while the ban lasts.
    await expectSignedOut(b, /\/login\?reason=(banned|session_expired)/);
    await signIn(b.page, "google", b.who);
    await expect(b.page).toHaveURL(/\/login\?error=banned/);
    await expect(b.page.getByTestId("login-message")).toHaveText(/This account is suspended/);
    expect(await hasSessionCookie(b.context)).toBe(false);

    // Unban (not destructive: no dialog), then B signs in again.
    await page.getByRole("button", { name: "Unban" }).click();
    await expect(toast(page, "success").last()).toHaveText("Unbanned Bea Banned. They can sign in again.");
    await expect(page.getByTestId("profile-status")).toHaveText("Active");
    await signIn(b.page, "google", b.who);
    await expect(b.page).toHaveURL(/\/account/);
    await expect(b.page.getByTestId("account-name")).toHaveText("Bea Banned");
  } finally {
    await admin.context.close();
    await b.context.close();
  }
});

test("demote admin C: C's next admin request is denied; the demotion is confirmed first", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-demote-admin");
  const c = await person(browser, "act-demote-c", "Cal Colleague");
  try {
    await setRole(c.id, "admin");
    const probe = await c.page.goto(`/admin/users/${admin.id}`);
    expect(probe?.status()).toBe(200);

    const page = admin.page;
    await page.goto(`/admin/users/${c.id}`);
    await expect(page.getByTestId("role-current")).toHaveText("Admin");
    await page.getByLabel("New role").selectOption("user");
    await page.getByRole("button", { name: "Change role" }).click();
    const dialog = page.getByRole("dialog", { name: "Demote Cal Colleague to user?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await dialog.getByRole("button", { name: "Demote" }).click();
    await expect(toast(page, "success").last()).toHaveText("Cal Colleague is now user.");
    await expect(page.getByTestId("role-current")).toHaveText("User");
    expect((await sql<{ role: string }>("select role::text from public.user_roles where user_id = $1", [c.id]))[0]?.role).toBe("user");

    // C's access token still says admin; the next admin request is a 404 all the same.
    const denied = await c.page.goto(`/admin/users/${admin.id}`);
    expect(denied?.status()).toBe(404);
    expect((await c.context.request.get(`/api/admin/users/${admin.id}/audit`)).status()).toBe(403);

    // A promotion needs no confirmation.
    await page.getByLabel("New role").selectOption("support");
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page.getByTestId("role-current")).toHaveText("Support");
    await expect(toast(page, "success").last()).toHaveText("Cal Colleague is now support.");
  } finally {
    await admin.context.close();
    await c.context.close();
  }
});

test("end one of B's sessions, then all: each is signed out on its next request", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-end-admin");
  const b = await person(browser, "act-end-b", "Ben Browser");
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  try {
    await signIn(phonePage, "google", b.who);
    const bPhone: Browsing = { context: phone, page: phonePage, who: b.who, id: b.id };
    const page = admin.page;
    await page.goto(`/admin/users/${b.id}`);
    const sessions = page.getByTestId("session");
    await expect(sessions).toHaveCount(2);
    // The phone's session: the newest.
    const [phoneSession] = await sql<{ id: string }>("select id::text from auth.sessions where user_id = $1 order by created_at desc limit 1", [b.id]);
    const row = page.locator(`[data-session-id="${phoneSession!.id}"]`);
    await row.getByRole("button", { name: /^End session on / }).click();
    await expect(row).toHaveCount(0);
    await expect(toast(page, "success").last()).toHaveText(/^Ended the session on /);
    await expectSignedOut(bPhone, /\/login\?reason=session_expired/);
    // The laptop is still signed in.
    await b.page.goto("/account");
    await expect(b.page.getByTestId("account-name")).toHaveText("Ben Browser");

    await page.getByRole("button", { name: "End all sessions" }).click();
    const dialog = page.getByRole("dialog", { name: "End all of Ben Browser's sessions?" });
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await dialog.getByRole("button", { name: "End all sessions" }).click();
    await expect(toast(page, "success").last()).toHaveText("Ended 1 session of Ben Browser.");
    await expect(page.getByTestId("no-sessions")).toBeVisible();
    await expectSignedOut(b, /\/login\?reason=session_expired/);
    expect(await sql("select 1 from auth.sessions where user_id = $1", [b.id])).toHaveLength(0);
  } finally {
    await admin.context.close();
    await b.context.close();
    await phone.close();
  }
});

test("remove B's authenticator: confirmed, gone from the page and from the Auth tables", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-factor-admin");
  const b = await person(browser, "act-factor-b", "Fay Factor");
  try {
    await enrolTotp(b.page);
    const page = admin.page;
    await page.goto(`/admin/users/${b.id}`);
    const factor = page.getByTestId("factor");
    await expect(factor).toHaveCount(1);
    await expect(factor).toContainText("Admin phone");
    await expect(factor).toContainText("Verified");
    const html = await page.content();
    const [secret] = await sql<{ secret: string }>("select secret from auth.mfa_factors where user_id = $1", [b.id]);
    expect(html).not.toContain(secret!.secret);
    await factor.getByRole("button", { name: "Remove Admin phone" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove Admin phone?" });
    await dialog.getByLabel(/Reason/).fill("Lost phone, identity checked");
    await dialog.getByRole("button", { name: "Remove factor" }).click();
    await expect(toast(page, "success").last()).toHaveText("Removed Admin phone from Fay Factor.");
    await expect(page.getByTestId("no-factors")).toBeVisible();
    expect(await sql("select 1 from auth.mfa_factors where user_id = $1", [b.id])).toHaveLength(0);
  } finally {
    await admin.context.close();
    await b.context.close();
  }
});

test("delete B: typed confirmation, B's data gone, the audit row remains, back to the users list", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-delete-admin");
  const b = await person(browser, "act-delete-b", "Dee Deleted");
  try {
    const page = admin.page;
    await page.goto(`/admin/users/${b.id}`);
    await page.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete Dee Deleted?" });
    const typed = dialog.getByLabel(/^Type .* to confirm$/);
    await expect(typed).toBeFocused();
    await typed.fill("someone-else@example.com");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await expect(dialog.getByTestId("delete-confirm-error")).toHaveText("Type the user's email exactly as shown to confirm.");
    expect(await sql("select 1 from auth.users where id = $1", [b.id])).toHaveLength(1);
    await typed.fill(b.who.email.toUpperCase());
    await dialog.getByLabel(/Reason/).fill("Asked by the user");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users");
    // The result follows the admin to the table, announced in its status region.
    await expect(page.getByTestId("toast-status").getByTestId("toast-text")).toHaveText(`Deleted ${b.who.email.toLowerCase()}. The audit trail keeps the record.`);

    for (const table of ["auth.users where id", "auth.identities where user_id", "auth.sessions where user_id", "public.profiles where id", "public.user_roles where user_id"]) {
      expect(await sql(`select 1 from ${table} = $1`, [b.id]), table).toHaveLength(0);
    }
    const audit = await sql<{ action: string; actor_id: string }>("select action, actor_id::text from public.audit_events where target_user_id = $1 and action = 'user.delete'", [b.id]);
    expect(audit).toEqual([{ action: "user.delete", actor_id: admin.id }]);
    // B's browser: signed out on its next request. The page for B is now a 404, and its trail is still readable.
    await expectSignedOut(b, /\/login\?reason=session_expired/);
    expect((await page.goto(`/admin/users/${b.id}`))?.status()).toBe(404);
    const trail = await admin.context.request.get(`/api/admin/users/${b.id}/audit`);
    expect(((await trail.json()) as { events: { action: string }[] }).events.map((e) => e.action)).toContain("user.delete");
  } finally {
    await admin.context.close();
    await b.context.close();
  }
});

test("self-ban, self-demotion and self-deletion are refused with the server's message, and the page rolls back", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-self-admin");
  try {
    const page = admin.page;
    await page.goto(`/admin/users/${admin.id}`);

    await page.getByRole("button", { name: "Ban…" }).click();
    const ban = page.getByRole("dialog", { name: "Ban Ada Admin?" });
    await ban.getByLabel("Reason").fill("testing");
    await ban.getByRole("button", { name: "Ban user" }).click();
    await expect(toast(page, "error").last()).toHaveText(/Ada Admin was not banned\. You cannot ban your own account/);
    await expect(page.getByTestId("profile-error")).toHaveText("You cannot ban your own account");
    await expect(page.getByTestId("profile-status")).toHaveText("Active");
    await expect(page.getByTestId("session")).toHaveCount(1);

    await page.getByLabel("New role").selectOption("user");
    await page.getByRole("button", { name: "Change role" }).click();
    await page.getByRole("dialog", { name: "Demote Ada Admin to user?" }).getByRole("button", { name: "Demote" }).click();
    await expect(toast(page, "error").last()).toHaveText(/Ada Admin's role was not changed\. You cannot change your own role/);
    await expect(page.getByTestId("role-error")).toHaveText("You cannot change your own role");
    await expect(page.getByTestId("role-current")).toHaveText("Admin");

    await page.getByRole("button", { name: "Delete…" }).click();
    const del = page.getByRole("dialog", { name: "Delete Ada Admin?" });
    await del.getByLabel(/^Type .* to confirm$/).fill(admin.who.email);
    await del.getByRole("button", { name: "Delete user" }).click();
    await expect(del.getByTestId("dialog-error")).toHaveText(/your own account/);
    await expect(page).toHaveURL(new RegExp(`/admin/users/${admin.id}$`));
    await del.getByRole("button", { name: "Cancel" }).click();

    const [state] = await sql<{ role: string; banned: boolean }>(
      "select r.role::text as role, u.banned_until is not null as banned from auth.users u join public.user_roles r on r.user_id = u.id where u.id = $1",
      [admin.id],
    );
    expect(state).toEqual({ role: "admin", banned: false });
    // Still signed in and still an admin.
    expect((await page.goto(`/admin/users/${admin.id}`))?.status()).toBe(200);
  } finally {
    await admin.context.close();
  }
});

// The last-admin rule is about the whole database, so this test makes its admin the only one: every other
// admin is made `support` for its length (tests run one at a time) and given the role back afterwards. The
// ids are written down first, so that a run stopped half-way gives them back at the start of the next one.
const PARKED_ADMINS = ".stack/e2e-parked-admins.json";

async function restoreParkedAdmins(): Promise<void> {
  if (!existsSync(PARKED_ADMINS)) return;
  const ids = JSON.parse(readFileSync(PARKED_ADMINS, "utf8")) as string[];
  await sql("update public.user_roles set role = 'admin' where user_id = any($1::text[]::uuid[])", [`{${ids.join(",")}}`]);
  rmSync(PARKED_ADMINS);
}

async function parkOtherAdmins(keep: string): Promise<string[]> {
  await restoreParkedAdmins();
  const others = await sql<{ id: string }>("select user_id::text as id from public.user_roles where role = 'admin' and user_id <> $1", [keep]);
  const ids = others.map((o) => o.id);
  writeFileSync(PARKED_ADMINS, JSON.stringify(ids));
  await sql("update public.user_roles set role = 'support' where user_id = any($1::text[]::uuid[])", [`{${ids.join(",")}}`]);
  return ids;
}

test("removing the last admin is refused: the only admin left cannot delete their own account, with a clear message", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-last-admin");
  const page = admin.page;
  const confirmation = page.getByRole("textbox", { name: "Type DELETE to confirm" });
  let second: Browsing | undefined;
  try {
    await parkOtherAdmins(admin.id);
    const [{ admins } = { admins: -1 }] = await sql<{ admins: number }>("select count(*)::int as admins from public.user_roles where role = 'admin'");
    expect(admins).toBe(1);

    // Signed in at AAL2 with a factor: no step-up stands in the way, only the rule.
    await page.goto("/account/delete");
    await expect(page.getByTestId("step-up-prompt")).toHaveCount(0);
    await confirmation.fill("DELETE");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page.getByTestId("delete-alert")).toHaveText(
      "Your account was not deleted. You are the last admin. Give another account the admin role before deleting yours.",
    );
    await expect(page).toHaveURL(/\/account\/delete$/);
    const [state] = await sql<{ role: string; users: number }>(
      "select r.role::text as role, (select count(*)::int from auth.users where id = $1::uuid) as users from public.user_roles r where r.user_id = $1::uuid",
      [admin.id],
    );
    expect(state).toEqual({ role: "admin", users: 1 });
    const [{ rows } = { rows: -1 }] = await sql<{ rows: number }>(
      "select count(*)::int as rows from public.audit_events where target_user_id = $1::uuid and action = 'account.delete'",
      [admin.id],
    );
    expect(rows).toBe(0);
    // Still signed in, still an admin.
    expect((await page.goto(`/admin/users/${admin.id}`))?.status()).toBe(200);

    // With another admin, the same deletion goes through: the rule was what refused it.
    await restoreParkedAdmins();
    second = await person(browser, "act-last-admin-2", "Second Admin");
    await setRole(second.id, "admin");
    await page.goto("/account/delete");
    await confirmation.fill("DELETE");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL("**/goodbye");
    const [{ users } = { users: -1 }] = await sql<{ users: number }>("select count(*)::int as users from auth.users where id = $1::uuid", [admin.id]);
    expect(users).toBe(0);
  } finally {
    await restoreParkedAdmins();
    await admin.context.close();
    await second?.context.close();
  }
});

test("an admin without two-factor is sent to enrol before any write, and comes back able to act", async ({ browser }) => {
  const admin = await person(browser, "act-enrol-admin", "Eno Admin");
  const b = await person(browser, "act-enrol-b", "Bo Target");
  try {
    await setRole(admin.id, "admin");
    const page = admin.page;
    await page.goto(`/admin/users/${b.id}`);
    await expect(page.getByRole("button", { name: "End all sessions" })).toHaveCount(0);
    await page.getByRole("link", { name: "Set up two-factor authentication to make changes" }).click();
    await page.waitForURL((url) => url.pathname === "/account/two-factor");
    await enrolTotp(page);
    await page.getByTestId("mfa-continue").click();
    await page.waitForURL((url) => url.pathname === `/admin/users/${b.id}`);
    await expect(page.getByTestId("mfa-enrolment-notice")).toHaveCount(0);
    await page.getByRole("button", { name: "End all sessions" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "End all sessions" }).click();
    await expect(toast(page, "success").last()).toHaveText("Ended 1 session of Bo Target.");
    await expectSignedOut(b, /\/login\?reason=session_expired/);
  } finally {
    await admin.context.close();
    await b.context.close();
  }
});

test("axe with the write controls and each dialog open, at 1280 and 375 px", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "act-axe-admin");
  const b = await person(browser, "act-axe-b", "Axel Target");
  try {
    const page = admin.page;
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`/admin/users/${b.id}`);
      await expect(page.getByTestId("role-controls")).toBeVisible();
      expect(await seriousViolations(page), `page at ${width}`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      for (const [button, dialogName] of [
        ["Ban…", "Ban Axel Target?"],
        ["Delete…", "Delete Axel Target?"],
        ["End all sessions", "End all of Axel Target's sessions?"],
      ] as const) {
        await page.getByRole("button", { name: button }).click();
        await expect(page.getByRole("dialog", { name: dialogName })).toBeVisible();
        expect(await seriousViolations(page), `${dialogName} at ${width}`).toEqual([]);
        await page.keyboard.press("Escape");
        await expect(page.getByRole("dialog")).toHaveCount(0);
      }
    }
  } finally {
    await admin.context.close();
    await b.context.close();
  }
});
