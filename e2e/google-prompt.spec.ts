import { expect, test, type Page } from "@playwright/test";
import { APP_ORIGIN, uniqueEmail } from "./support";

// Google's `prompt` from the app's sign-in form to the emulator: the app validates it, @supabase/ssr puts
// it in the authorize URL's query, the Auth server forwards it to Google, and the emulator's page says
// what it was asked for.

/** On the emulator's page: checks the prompt it names, types an identity, continues; resolves back in the app. */
async function answerGooglePage(page: Page, prompt: string, who: { email: string; name: string }): Promise<void> {
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Google");
  await expect(page.locator("[data-prompt]")).toHaveAttribute("data-prompt", prompt);
  await page.locator("#email").fill(who.email);
  await page.locator("#name").fill(who.name);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL((url) => url.port === "3000" && !url.pathname.startsWith("/auth/"));
}

test("Use another Google account: the account chooser (prompt=select_account), then signed in", async ({ page }) => {
  const who = { email: uniqueEmail("select"), name: "Sel Account" };
  await page.goto("/login");
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.getByRole("button", { name: "Use another Google account" }).click();
  await answerGooglePage(page, "select_account", who);
  expect(requests.some((url) => /\/google\/authorize\?/.test(url) && new URL(url).searchParams.get("prompt") === "select_account")).toBe(true);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText(who.name);
  await expect(page.getByTestId("account-email")).toHaveText(who.email);
  await expect(page.getByTestId("account-provider")).toHaveText("Google");
});

test("the sign-in form's prompt=consent reaches Google, then signed in", async ({ page }) => {
  const who = { email: uniqueEmail("consent"), name: "Con Sent" };
  await page.goto("/login?next=/account");
  // The Google button's own form, with the prompt field a page may add to it.
  await page.locator('form:has(input[name="provider"][value="google"]):not(:has(input[name="prompt"]))').evaluate((form) => {
    const prompt = document.createElement("input");
    prompt.type = "hidden";
    prompt.name = "prompt";
    prompt.value = "consent";
    form.append(prompt);
    (form as HTMLFormElement).requestSubmit();
  });
  await answerGooglePage(page, "consent", who);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText(who.name);
  await expect(page.getByTestId("account-email")).toHaveText(who.email);
});

test("prompt=none with no Google session: back on /login with a message, not an error page", async ({ page }) => {
  await page.goto("/login");
  await page.locator('form:has(input[name="provider"][value="google"]):not(:has(input[name="prompt"]))').evaluate((form) => {
    const prompt = document.createElement("input");
    prompt.type = "hidden";
    prompt.name = "prompt";
    prompt.value = "none";
    form.append(prompt);
    (form as HTMLFormElement).requestSubmit();
  });
  await expect(page).toHaveURL(/\/login\?error=sign_in_required/);
  await expect(page.getByTestId("login-message")).toContainText("Continue with Google");
});

test.describe("bad sign-in requests get a clear answer, never a 5xx", () => {
  const headers = { origin: APP_ORIGIN };

  test("a prompt outside Google's values: /login?error=invalid_request, next kept, nothing forwarded", async ({ request, page }) => {
    for (const prompt of ["login", "none consent", "consent&access_type=offline", "SELECT_ACCOUNT"]) {
      const response = await request.post(`${APP_ORIGIN}/auth/sign-in`, {
        headers,
        form: { provider: "google", next: "/account", prompt },
        maxRedirects: 0,
      });
      expect(response.status(), prompt).toBe(303);
      const location = new URL(response.headers().location ?? "");
      expect(location.origin + location.pathname).toBe(`${APP_ORIGIN}/login`);
      expect(Object.fromEntries(location.searchParams)).toEqual({ error: "invalid_request", next: "/account" });
      expect(response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("sb-"))).toEqual([]);
    }
    await page.goto("/login?error=invalid_request&next=/account");
    await expect(page.getByTestId("login-message")).toContainText("That sign-in request was not valid");
  });

  test("an unknown provider: /login?error=provider", async ({ request }) => {
    const response = await request.post(`${APP_ORIGIN}/auth/sign-in`, { headers, form: { provider: "github" }, maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe(`${APP_ORIGIN}/login?error=provider`);
  });

  test("no body, a JSON body or a text body: 400 with a JSON error", async ({ request }) => {
    const attempts = [
      { name: "no body", init: { headers } },
      { name: "JSON", init: { headers: { ...headers, "content-type": "application/json" }, data: { provider: "google" } } },
      { name: "text", init: { headers: { ...headers, "content-type": "text/plain" }, data: "provider=google" } },
    ];
    for (const path of ["/auth/sign-in", "/auth/sign-out"]) {
      for (const { name, init } of attempts) {
        const response = await request.post(`${APP_ORIGIN}${path}`, { ...init, maxRedirects: 0 });
        expect(response.status(), `${path} ${name}`).toBe(400);
        expect(await response.json()).toMatchObject({ ok: false, error: { code: "invalid_input" } });
      }
    }
  });

  test("Apple ignores a valid prompt: the sign-in starts as usual", async ({ request }) => {
    const response = await request.post(`${APP_ORIGIN}/auth/sign-in`, {
      headers,
      form: { provider: "apple", prompt: "select_account" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(303);
    const location = new URL(response.headers().location ?? "");
    expect(location.pathname).toBe("/auth/v1/authorize");
    expect(location.searchParams.get("provider")).toBe("apple");
    expect(location.searchParams.has("prompt")).toBe(false);
  });
});
