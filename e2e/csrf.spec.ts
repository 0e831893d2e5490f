import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test, type APIRequestContext, type PlaywrightWorkerArgs } from "@playwright/test";
import { APP_ORIGIN, decodeJwt, encodeSession, sessionCookieName, sessionOf, signIn, signInByRequest, sql, uniqueEmail, type StoredSession } from "./support";

type Playwright = PlaywrightWorkerArgs["playwright"];

/** Requests a browser would send for a cross-site (or opaque-origin) form POST, and near misses of the app's origin. */
const HOSTILE: Record<string, Record<string, string>> = {
  "Origin: https://evil.example": { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
  "Origin: null (sandboxed frame)": { origin: "null", "sec-fetch-site": "cross-site" },
  "no Origin, Sec-Fetch-Site: cross-site": { "sec-fetch-site": "cross-site" },
  "no Origin, Sec-Fetch-Site: same-site": { "sec-fetch-site": "same-site" },
  "no Origin, no Sec-Fetch-Site": {},
  "Origin: http://localhost:3000.evil.example": { origin: "http://localhost:3000.evil.example" },
  "Origin: http://127.0.0.1:3000 (same server, other origin)": { origin: "http://127.0.0.1:3000" },
  "Origin: https://localhost:3000 (other scheme)": { origin: "https://localhost:3000" },
  "Origin: http://evil.example, Sec-Fetch-Site: same-origin (forged fetch metadata)": { origin: "http://evil.example", "sec-fetch-site": "same-origin" },
};

const MUTATING = ["POST", "PUT", "PATCH", "DELETE"] as const;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/**
 * Every route handler in app/ and the state-changing methods it exports, found in the source so that a
 * handler added later is covered without touching this file. Dynamic segments get a placeholder value.
 */
function mutatingRouteHandlers(): { path: string; method: (typeof MUTATING)[number] }[] {
  const found: { path: string; method: (typeof MUTATING)[number] }[] = [];
  for (const file of files("app").filter((f) => /\/route\.(ts|tsx|js)$/.test(f))) {
    const source = readFileSync(file, "utf8");
    const route = `/${relative("app", file)}`
      .replace(/\/route\.(ts|tsx|js)$/, "")
      .replace(/\/\([^)]+\)/g, "")
      .replace(/\[\[?\.{0,3}[^\]]+\]\]?/g, "00000000-0000-4000-8000-000000000000");
    for (const method of MUTATING) {
      if (new RegExp(`export\\s+(async\\s+function|function|const|let)\\s+${method}\\b|export\\s*\\{[^}]*\\b${method}\\b`).test(source)) {
        found.push({ path: route || "/", method });
      }
    }
  }
  return found;
}

/** Server actions of the production build (`next build`): id and a page that carries it. */
function serverActions(): { id: string; page: string }[] {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).flatMap(([id, entry]) => {
    const worker = Object.keys(entry.workers).find((w) => /^app\/.*page$/.test(w));
    if (!worker) return [];
    const page = `/${worker.replace(/^app\//, "").replace(/\/?page$/, "")}`
      .replace(/\/\([^)]+\)/g, "")
      .replace(/\[\[?\.{0,3}[^\]]+\]\]?/g, "00000000-0000-4000-8000-000000000000");
    return [{ id, page: page || "/" }];
  });
}

async function signedInSession(playwright: Playwright, prefix: string): Promise<{ email: string; session: StoredSession; cookie: string }> {
  const api = await playwright.request.newContext();
  try {
    const email = uniqueEmail(prefix);
    await signInByRequest(api, { email, name: "Cross Site" });
    const { session, value } = await sessionOf(api);
    return { email, session, cookie: value };
  } finally {
    await api.dispose();
  }
}

/** A fresh context holding only `cookie` as the session cookie. */
async function withCookie(playwright: Playwright, cookie: string): Promise<APIRequestContext> {
  return playwright.request.newContext({
    storageState: {
      cookies: [{ name: sessionCookieName(), value: cookie, domain: "localhost", path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }],
      origins: [],
    },
  });
}

async function accountWorks(playwright: Playwright, cookie: string, email: string): Promise<boolean> {
  const ctx = await withCookie(playwright, cookie);
  try {
    const response = await ctx.get(`${APP_ORIGIN}/account`, { maxRedirects: 0 });
    return response.status() === 200 && (await response.text()).includes(email);
  } finally {
    await ctx.dispose();
  }
}

async function sessionCount(session: StoredSession): Promise<number> {
  const rows = await sql<{ n: number }>("select count(*)::int as n from auth.sessions where user_id = $1::uuid", [decodeJwt(session.access_token).payload.sub]);
  return rows[0]?.n ?? -1;
}

test("the mutating endpoints are found: at least /auth/sign-in and /auth/sign-out", () => {
  const handlers = mutatingRouteHandlers().map((h) => `${h.method} ${h.path}`);
  expect(handlers).toContain("POST /auth/sign-in");
  expect(handlers).toContain("POST /auth/sign-out");
});

test("POST /auth/sign-out from another origin: 403 and the session (local and global scope) still works", async ({ playwright }) => {
  const user = await signedInSession(playwright, "csrf-out");
  const before = await sessionCount(user.session);
  for (const [label, headers] of Object.entries(HOSTILE)) {
    for (const scope of ["local", "global"]) {
      const ctx = await withCookie(playwright, user.cookie);
      try {
        const response = await ctx.post(`${APP_ORIGIN}/auth/sign-out`, { headers, form: { scope }, maxRedirects: 0 });
        expect(response.status(), `${label} scope=${scope}`).toBe(403);
        const cleared = response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("sb-"));
        expect(cleared, `${label}: no cookie touched`).toEqual([]);
      } finally {
        await ctx.dispose();
      }
    }
  }
  expect(await sessionCount(user.session)).toBe(before);
  expect(await accountWorks(playwright, user.cookie, user.email)).toBe(true);

  // Control: the same request from the app's own origin does sign out (so the 403s above are the CSRF check).
  const ctx = await withCookie(playwright, user.cookie);
  const ok = await ctx.post(`${APP_ORIGIN}/auth/sign-out`, { headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin" }, form: { scope: "global" }, maxRedirects: 0 });
  await ctx.dispose();
  expect(ok.status()).toBe(303);
  expect(ok.headers().location).toBe(`${APP_ORIGIN}/login?signed_out=1`);
  expect(await sessionCount(user.session)).toBe(0);
  expect(await accountWorks(playwright, user.cookie, user.email)).toBe(false);
});

test("POST /auth/sign-in from another origin: 403, no OAuth flow started, no cookie set", async ({ playwright }) => {
  for (const [label, headers] of Object.entries(HOSTILE)) {
    const ctx = await playwright.request.newContext();
    try {
      const response = await ctx.post(`${APP_ORIGIN}/auth/sign-in`, { headers, form: { provider: "google", next: "/account" }, maxRedirects: 0 });
      expect(response.status(), label).toBe(403);
      expect(response.headers().location, label).toBeUndefined();
      expect(response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie"), label).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  }
  // Control: from the app's own origin (also with only Sec-Fetch-Site: same-origin) the flow starts.
  for (const headers of [{ origin: APP_ORIGIN }, { "sec-fetch-site": "same-origin" }] as Record<string, string>[]) {
    const ctx = await playwright.request.newContext();
    const ok = await ctx.post(`${APP_ORIGIN}/auth/sign-in`, { headers, form: { provider: "google", next: "/account" }, maxRedirects: 0 });
    await ctx.dispose();
    expect(ok.status()).toBe(303);
    expect(ok.headers().location).toContain("/auth/v1/authorize?provider=google");
  }
});

test("every other mutating route handler and every server action refuses cross-origin requests", async ({ playwright }) => {
  const user = await signedInSession(playwright, "csrf-any");
  const handlers = mutatingRouteHandlers().filter((h) => !["/auth/sign-in", "/auth/sign-out"].includes(h.path));
  const actions = serverActions();
  test.info().annotations.push({ type: "covered", description: `${handlers.length} more route handler(s), ${actions.length} server action(s)` });

  for (const { path, method } of handlers) {
    for (const [label, headers] of Object.entries(HOSTILE)) {
      const ctx = await withCookie(playwright, user.cookie);
      try {
        const response = await ctx.fetch(`${APP_ORIGIN}${path}`, { method, headers: { ...headers, "content-type": "application/json" }, data: "{}", maxRedirects: 0 });
        expect(response.status(), `${method} ${path} ${label}`).toBe(403);
      } finally {
        await ctx.dispose();
      }
    }
  }

  for (const { id, page } of actions) {
    // A fresh user per action: an action that ran anyway (or the control below) may change that user's state.
    const victim = await signedInSession(playwright, "csrf-action");
    const call = async (headers: Record<string, string>) => {
      const ctx = await withCookie(playwright, victim.cookie);
      try {
        const response = await ctx.post(`${APP_ORIGIN}${page}`, {
          headers: { ...headers, "next-action": id, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8" },
          data: "[]",
          maxRedirects: 0,
        });
        return { status: response.status(), body: await response.text() };
      } finally {
        await ctx.dispose();
      }
    };
    // Refused means: Next.js aborted it (500, for a foreign Origin) or the action answered the `csrf` error
    // before doing anything else (Next.js lets requests without Origin through to the action).
    for (const [label, headers] of Object.entries(HOSTILE)) {
      const refused = await call(headers);
      const rejected = refused.status >= 400 || refused.body.includes('"code":"csrf"');
      expect(rejected, `action ${id} on ${page}, ${label}: ${refused.status} ${refused.body.slice(0, 200)}`).toBe(true);
    }
    expect(await accountWorks(playwright, victim.cookie, victim.email), `action ${id} changed nothing`).toBe(true);
    // Control: from the app's own origin the same request reaches the action (so the refusals above are CSRF).
    const control = await call({ origin: APP_ORIGIN, "sec-fetch-site": "same-origin" });
    expect(control.status, `action ${id} on ${page} is reachable: ${control.body.slice(0, 200)}`).toBeLessThan(400);
    expect(control.body).not.toContain('"code":"csrf"');
  }
  expect(await accountWorks(playwright, user.cookie, user.email)).toBe(true);
});

test("a real cross-site form in the browser cannot sign the user out", async ({ page, context }) => {
  const email = uniqueEmail("csrf-browser");
  await signIn(page, "google", { email, name: "Form Victim" });
  const before = (await sessionOf(context)).value;
  let status = 0;
  page.on("response", (r) => {
    if (r.url() === `${APP_ORIGIN}/auth/sign-out`) status = r.status();
  });
  await page.route("https://evil.example/", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="post" action="${APP_ORIGIN}/auth/sign-out"><input name="scope" value="global"></form><script>document.forms[0].submit()</script>`,
    }),
  );
  await page.goto("https://evil.example/");
  await expect.poll(() => status).toBe(403);
  expect((await sessionOf(context)).value).toBe(before);
  await page.goto("/account");
  await expect(page.getByTestId("account-email")).toHaveText(email);
});

test("no GET changes state: GET /auth/sign-out is 405, GET /auth/signed-out leaves a live session alone", async ({ playwright }) => {
  const user = await signedInSession(playwright, "csrf-get");
  const before = await sessionCount(user.session);
  for (const path of ["/auth/sign-out", "/auth/sign-in"]) {
    const ctx = await withCookie(playwright, user.cookie);
    try {
      const response = await ctx.get(`${APP_ORIGIN}${path}`, { maxRedirects: 0 });
      expect(response.status(), `GET ${path}`).toBe(405);
      expect(response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("sb-"))).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  }
  for (const query of ["", "?reason=banned&next=/admin", "?reason=session_expired&next=/account"]) {
    const ctx = await withCookie(playwright, user.cookie);
    try {
      const response = await ctx.get(`${APP_ORIGIN}/auth/signed-out${query}`, { maxRedirects: 0, headers: { "sec-fetch-site": "cross-site" } });
      expect(response.status()).toBe(303);
      expect(new URL(response.headers().location as string).pathname).not.toBe("/login");
      expect(response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("sb-"))).toEqual([]);
      expect((await ctx.storageState()).cookies.map((c) => c.name)).toContain(sessionCookieName());
    } finally {
      await ctx.dispose();
    }
  }
  expect(await sessionCount(user.session)).toBe(before);
  expect(await accountWorks(playwright, user.cookie, user.email)).toBe(true);
  expect(await accountWorks(playwright, encodeSession(user.session), user.email)).toBe(true);
});
