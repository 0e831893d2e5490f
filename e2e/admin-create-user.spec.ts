import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { TOTP } from "otpauth";
import { APP_ORIGIN, signIn, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// "Create a user" at /admin/users/new, end to end: an admin with an authenticator (enrolled on the two-factor
// page) creates a user through the form, lands on the new user's page with a toast, and the person then signs
// in with Google under that email and is that user with the role given. The form checks its values with the
// route's own schema (each problem at its field, nothing sent), an existing email is refused at the field,
// support gets a 404 and no link, an admin without two-factor gets the set-up notice. Nothing is mocked.

const code = (secret: string) => new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate();

type Browsing = { context: BrowserContext; page: Page; email: string; id: string };

async function person(browser: Browser, label: string, name: string, role: "user" | "support" | "admin" = "user"): Promise<Browsing> {
  const email = uniqueEmail(label);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "google", { email, name });
  const id = await userIdByEmail(email);
  if (role !== "user") await sql("update public.user_roles set role = $1 where user_id = $2", [role, id]);
  return { context, page, email, id };
}

/** Enrols an authenticator app on the two-factor page (the session becomes AAL2). */
async function enrolTotp(page: Page): Promise<void> {
  if (!page.url().includes("/account/two-factor")) await page.goto("/account/two-factor");
  await page.getByLabel("Name for the authenticator").fill("Admin phone");
  await page.getByRole("button", { name: /^Add (an|another) authenticator app$/ }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
  await page.getByLabel("Code from the app").fill(code(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("mfa-notice")).toHaveText("Admin phone is on. Signing in now also asks for a code.");
}

async function adminWithTotp(browser: Browser, label: string): Promise<Browsing> {
  const admin = await person(browser, label, "Ada Admin", "admin");
  await enrolTotp(admin.page);
  return admin;
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

const form = (page: Page) => page.getByTestId("create-user-form");
const field = (page: Page, label: "Email" | "Display name" | "Role") => form(page).getByLabel(label, { exact: true });
const fieldError = (page: Page, name: "email" | "name" | "role") => page.getByTestId(`create-user-${name}-error`);
const successToast = (page: Page) => page.getByTestId("toast-status").getByTestId("toast-text");

/** Every POST the page sends to the create route. */
function countCreateRequests(page: Page): () => number {
  let n = 0;
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/admin/users") n += 1;
  });
  return () => n;
}

async function usersWithEmail(email: string): Promise<{ id: string }[]> {
  return sql<{ id: string }>("select id::text from auth.users where lower(email) = lower($1)", [email]);
}

test("an AAL2 admin creates a support user through the form; the person signs in with Google and is that user, read-only staff", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "create-form-admin");
  const email = uniqueEmail("create-form-person");
  let personContext: BrowserContext | undefined;
  try {
    const page = admin.page;
    await page.goto("/admin/users");
    await page.getByRole("link", { name: "Create user" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users/new");
    await expect(page).toHaveTitle(/Create a user/);
    await expect(page.getByRole("heading", { level: 1, name: "Create a user" })).toBeVisible();
    await expect(field(page, "Role")).toHaveValue("user");

    // By keyboard: type, Tab, choose the role, Tab to the button, Enter.
    await field(page, "Email").focus();
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await expect(field(page, "Display name")).toBeFocused();
    await page.keyboard.type("Cora Created");
    await page.keyboard.press("Tab");
    await expect(field(page, "Role")).toBeFocused();
    await field(page, "Role").selectOption({ label: "Support" });
    await page.keyboard.press("Tab");
    await expect(form(page).getByRole("link", { name: "Cancel" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(form(page).getByRole("button", { name: "Create user" })).toBeFocused();
    await page.keyboard.press("Enter");

    await page.waitForURL((url) => /^\/admin\/users\/[0-9a-f-]{36}$/.test(url.pathname));
    const id = new URL(page.url()).pathname.split("/").pop() as string;
    expect(await usersWithEmail(email)).toEqual([{ id }]);
    await expect(page.getByTestId("user-title")).toHaveText("Cora Created");
    await expect(successToast(page).last()).toHaveText(
      `Created Cora Created (${email}) as Support. They can now sign in with Google or Apple under this email.`,
    );
    const [role] = await sql<{ role: string }>("select role::text from public.user_roles where user_id = $1", [id]);
    expect(role?.role).toBe("support");
    const audit = await sql<{ action: string }>("select action from public.audit_events where actor_id = $1 and target_user_id = $2", [admin.id, id]);
    expect(audit.map((a) => a.action)).toEqual(["user.create"]);

    // The person signs in with Google under that email: the same user, with the role given.
    personContext = await browser.newContext();
    const personPage = await personContext.newPage();
    await signIn(personPage, "google", { email, name: "Google Cora" });
    const me = (await (await personPage.request.get("/api/me")).json()) as { user: { id: string; role: string }; profile: { displayName: string } };
    expect(me.user).toMatchObject({ id, role: "support" });
    expect(me.profile.displayName).toBe("Cora Created");
    expect(await usersWithEmail(email)).toEqual([{ id }]);
    // Support: the users table, read-only, without the link; the form's page is a 404.
    expect((await personPage.goto("/admin/users"))?.status()).toBe(200);
    await expect(personPage.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
    await expect(personPage.getByRole("link", { name: "Create user" })).toHaveCount(0);
    expect((await personPage.goto("/admin/users/new"))?.status()).toBe(404);

    // The same email again (in capitals): refused at the email field, what was typed kept, nothing created.
    await page.goto("/admin/users/new");
    await field(page, "Email").fill(email.toUpperCase());
    await field(page, "Display name").fill("Cora Again");
    await field(page, "Role").selectOption("admin");
    await form(page).getByRole("button", { name: "Create user" }).click();
    await expect(fieldError(page, "email")).toHaveText("A user with this email already exists.");
    await expect(field(page, "Email")).toHaveAttribute("aria-invalid", "true");
    await expect(field(page, "Email")).toBeFocused();
    expect(await field(page, "Email").getAttribute("aria-describedby")).toContain(await fieldError(page, "email").getAttribute("id"));
    await expect(field(page, "Email")).toHaveValue(email.toUpperCase());
    await expect(field(page, "Display name")).toHaveValue("Cora Again");
    await expect(field(page, "Role")).toHaveValue("admin");
    await expect(page).toHaveURL(/\/admin\/users\/new$/);
    expect(await usersWithEmail(email)).toEqual([{ id }]);
    const [after] = await sql<{ role: string; name: string }>(
      "select r.role::text as role, p.display_name as name from public.user_roles r join public.profiles p on p.id = r.user_id where r.user_id = $1",
      [id],
    );
    expect(after).toEqual({ role: "support", name: "Cora Created" });
    // The problem goes once the email is changed.
    await field(page, "Email").fill(uniqueEmail("create-form-other"));
    await expect(fieldError(page, "email")).toHaveCount(0);
    await expect(field(page, "Email")).not.toHaveAttribute("aria-invalid", "true");
  } finally {
    await personContext?.close();
    await admin.context.close();
  }
});

test("bad values are refused at their field, keeping what was typed, and nothing is sent or created", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "create-bad-admin");
  try {
    const page = admin.page;
    await page.goto("/admin/users/new");
    await expect(form(page).getByRole("button", { name: "Create user" })).toBeEnabled();
    const sent = countCreateRequests(page);
    const submit = () => form(page).getByRole("button", { name: "Create user" }).click();

    // Empty: both fields, focus on the first.
    await submit();
    await expect(fieldError(page, "email")).toHaveText("Enter an email address.");
    await expect(fieldError(page, "name")).toHaveText("Enter a display name.");
    await expect(field(page, "Email")).toBeFocused();
    for (const label of ["Email", "Display name"] as const) await expect(field(page, label)).toHaveAttribute("aria-invalid", "true");
    await expect(field(page, "Role")).not.toHaveAttribute("aria-invalid", "true");

    const email = uniqueEmail("create-bad");
    const cases: { email: string; name: string; at: "email" | "name"; message: string }[] = [
      { email: "not-an-email", name: "Bad Email", at: "email", message: "Email must be an email address." },
      { email: `${"a".repeat(320)}@example.com`, name: "Long Email", at: "email", message: "Email must be at most 320 characters." },
      { email, name: "Bell\u0007Name", at: "name", message: "Display name must not contain control characters." },
      { email, name: "Tab\tName", at: "name", message: "Display name must not contain control characters." },
      { email, name: "<b>Bold</b>", at: "name", message: "Display name must not contain < or >." },
      { email, name: "a < b", at: "name", message: "Display name must not contain < or >." },
      { email, name: "X".repeat(101), at: "name", message: "Display name must be at most 100 characters." },
      { email, name: "   ", at: "name", message: "Enter a display name." },
    ];
    for (const c of cases) {
      await field(page, "Email").fill(c.email);
      await field(page, "Display name").fill(c.name);
      await submit();
      const label = c.at === "email" ? "Email" : "Display name";
      await expect(fieldError(page, c.at), c.name).toHaveText(c.message);
      await expect(field(page, label)).toHaveAttribute("aria-invalid", "true");
      await expect(field(page, label)).toBeFocused();
      expect(await field(page, label).getAttribute("aria-describedby")).toContain(await fieldError(page, c.at).getAttribute("id"));
      // What was typed stays.
      await expect(field(page, "Email")).toHaveValue(c.email);
      await expect(field(page, "Display name")).toHaveValue(c.name);
      const other = c.at === "email" ? "name" : "email";
      await expect(fieldError(page, other), c.name).toHaveCount(0);
    }
    // 100 characters is allowed: the problem goes as the name is fixed (and nothing has been sent yet).
    await field(page, "Display name").fill("X".repeat(100));
    await expect(fieldError(page, "name")).toHaveCount(0);
    await expect(field(page, "Display name")).not.toHaveAttribute("aria-invalid", "true");

    expect(sent()).toBe(0);
    for (const c of cases) expect(await usersWithEmail(c.email.trim() || "-")).toEqual([]);
    await expect(page).toHaveURL(/\/admin\/users\/new$/);
  } finally {
    await admin.context.close();
  }
});

test("support gets a 404 at /admin/users/new and no Create user link; a plain user gets a 404", async ({ browser, playwright }) => {
  const support = await person(browser, "create-support", "Sam Support", "support");
  const plain = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  try {
    const page = support.page;
    await page.goto("/admin/users");
    await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Create user" })).toHaveCount(0);
    const res = await page.goto("/admin/users/new");
    expect(res?.status()).toBe(404);
    await expect(form(page)).toHaveCount(0);
    await expect(page.getByTestId("mfa-enrolment-notice")).toHaveCount(0);
    expect(await page.title()).not.toContain("Create a user");

    await signInByRequest(plain, { email: uniqueEmail("create-plain"), name: "Pat Plain" });
    const plainRes = await plain.get("/admin/users/new", { maxRedirects: 0 });
    expect(plainRes.status()).toBe(404);
    const body = await plainRes.text();
    expect(body).not.toContain("Create a user");
    expect(body).not.toContain("create-user-form");
  } finally {
    await support.context.close();
    await plain.dispose();
  }
});

test("an admin without two-factor sees the set-up notice instead of the form, enrols, and comes back to the form", async ({ browser }) => {
  const admin = await person(browser, "create-enrol-admin", "Eno Admin", "admin");
  try {
    const page = admin.page;
    await page.goto("/admin/users");
    await page.getByRole("link", { name: "Create user" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users/new");
    await expect(page.getByTestId("mfa-enrolment-notice")).toBeVisible();
    await expect(page.getByTestId("mfa-enrolment-notice")).toContainText("Creating a user needs a sign-in with an authenticator app");
    await expect(form(page)).toHaveCount(0);
    const link = page.getByRole("link", { name: "Set up two-factor authentication to make changes" });
    await expect(link).toHaveAttribute("href", "/account/two-factor?next=/admin/users/new");
    await link.click();
    await page.waitForURL((url) => url.pathname === "/account/two-factor");
    await enrolTotp(page);
    await page.getByTestId("mfa-continue").click();
    await page.waitForURL((url) => url.pathname === "/admin/users/new");
    await expect(page.getByTestId("mfa-enrolment-notice")).toHaveCount(0);
    await expect(form(page)).toBeVisible();
  } finally {
    await admin.context.close();
  }
});

test("axe on the form (empty, with problems shown) and on the notice, at 1280 and 375 px", async ({ browser }) => {
  const admin = await adminWithTotp(browser, "create-axe-admin");
  const noFactor = await person(browser, "create-axe-nofactor", "Nora Admin", "admin");
  try {
    for (const width of [1280, 375]) {
      const page = admin.page;
      await page.setViewportSize({ width, height: 900 });
      await page.goto("/admin/users");
      await expect(page.getByRole("link", { name: "Create user" })).toBeVisible();
      expect(await seriousViolations(page), `users table at ${width}`).toEqual([]);
      await page.goto("/admin/users/new");
      await expect(form(page)).toBeVisible();
      expect(await seriousViolations(page), `form at ${width}`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no sideways scroll at ${width}`).toBe(true);
      await field(page, "Display name").fill("<script>");
      await form(page).getByRole("button", { name: "Create user" }).click();
      await expect(fieldError(page, "name")).toBeVisible();
      expect(await seriousViolations(page), `form with problems at ${width}`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

      await noFactor.page.setViewportSize({ width, height: 900 });
      await noFactor.page.goto("/admin/users/new");
      await expect(noFactor.page.getByTestId("mfa-enrolment-notice")).toBeVisible();
      expect(await seriousViolations(noFactor.page), `notice at ${width}`).toEqual([]);
      expect(await noFactor.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
  } finally {
    await admin.context.close();
    await noFactor.context.close();
  }
});
