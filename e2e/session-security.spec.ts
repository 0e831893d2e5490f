import { execFileSync } from "node:child_process";
import { expect, test, type APIResponse, type PlaywrightWorkerArgs } from "@playwright/test";
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from "jose";
import {
  APP_ORIGIN,
  decodeJwt,
  decodeSession,
  encodeSession,
  sessionCookieName,
  sessionOf,
  signIn,
  signInByRequest,
  sql,
  stackSecrets,
  stackSigningKeys,
  uniqueEmail,
  type StoredSession,
} from "./support";

type Playwright = PlaywrightWorkerArgs["playwright"];

type Who = { email: string; name: string; id: string; session: StoredSession };

/** A user signed in through the app (no browser), holding a real session. */
async function signedInUser(playwright: Playwright, prefix: string, name: string): Promise<Who> {
  const api = await playwright.request.newContext();
  try {
    const email = uniqueEmail(prefix);
    const landed = await signInByRequest(api, { email, name });
    expect(landed.status()).toBe(200);
    const { session } = await sessionOf(api);
    return { email, name, id: decodeJwt(session.access_token).payload.sub, session };
  } finally {
    await api.dispose();
  }
}

type Hop = { url: string; status: number; location: string | undefined; body: string; response: APIResponse };

/**
 * GETs `path` in a fresh request context that carries exactly `cookie` (or none), following redirects by
 * hand so that every hop's body and headers can be checked. Cookies the app sets are kept for later hops.
 */
async function visit(playwright: Playwright, path: string, opts: { cookie?: string; headers?: Record<string, string> } = {}) {
  const ctx = await playwright.request.newContext({
    storageState: {
      cookies: opts.cookie
        ? [{ name: sessionCookieName(), value: opts.cookie, domain: "localhost", path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }]
        : [],
      origins: [],
    },
  });
  const hops: Hop[] = [];
  try {
    let url = `${APP_ORIGIN}${path}`;
    for (let i = 0; i < 6; i++) {
      const response = await ctx.get(url, { maxRedirects: 0, headers: opts.headers });
      const location = response.headers().location;
      hops.push({ url, status: response.status(), location, body: await response.text(), response });
      if (!location) break;
      url = new URL(location, url).toString();
    }
    const jar = (await ctx.storageState()).cookies.filter((c) => c.name === sessionCookieName());
    return { hops, last: hops[hops.length - 1] as Hop, sessionCookieLeft: jar.length > 0 };
  } finally {
    await ctx.dispose();
  }
}

function expectNoUserData(hops: Hop[], who: { email: string; name: string }) {
  for (const hop of hops) {
    expect(hop.body, `${hop.url} rendered the victim's email`).not.toContain(who.email);
    expect(hop.body, `${hop.url} rendered the victim's name`).not.toContain(who.name);
  }
}

function expectBackAtLogin(result: Awaited<ReturnType<typeof visit>>, path: string) {
  const [first] = result.hops;
  expect(first?.status, `${path} must redirect`).toBeGreaterThanOrEqual(300);
  expect(first?.status).toBeLessThan(400);
  expect(first?.location ?? "").toMatch(/^\/(auth\/signed-out|login)\?/);
  expect(result.last.status).toBe(200);
  expect(new URL(result.last.url).pathname).toBe("/login");
  expect(result.last.body).toContain(">Sign in</h1>");
}

test.describe("forged session cookies", () => {
  let victim: Who;
  let attacker: Who;
  const forged: Record<string, string> = {};

  test.beforeAll(async ({ playwright }) => {
    victim = await signedInUser(playwright, "victim", "Victoria Victim");
    attacker = await signedInUser(playwright, "attacker", "Mallory Attacker");
    // The victim is an admin: a forgery that got through would show /admin's user list as well.
    execFileSync(process.execPath, ["scripts/grant-role.ts", victim.email, "admin"], { stdio: "pipe" });

    const { header, payload, parts } = decodeJwt(victim.session.access_token);
    const signing = stackSigningKeys().find((k) => k.status === "signing");
    if (!signing) throw new Error("no signing key");
    expect(header.kid).toBe(signing.kid);
    // The Auth server's own key: only the one claim under test differs from a token the server could issue.
    const serverKey = await importJWK(signing.private_jwk, "ES256");
    const sign = (claims: JWTPayload, protectedHeader: Record<string, unknown> = { ...header }, key: CryptoKey | Uint8Array = serverKey as CryptoKey) =>
      new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const attackerParts = decodeJwt(attacker.session.access_token).parts;
    const { privateKey: rogueKey } = await generateKeyPair("ES256");
    const secrets = stackSecrets();
    const withoutSessionId: JWTPayload = { ...payload };
    delete withoutSessionId.session_id;

    Object.assign(forged, {
      // Control: the same claims re-signed with the server's key must be accepted, or the cases below prove nothing.
      genuine: await sign(payload),
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${parts[1]}.`,
      "alg none with the server's kid": `${b64({ ...header, alg: "none" })}.${parts[1]}.`,
      "unsupported alg (PS256) with the server's kid": `${b64({ ...header, alg: "PS256" })}.${parts[1]}.${parts[2]}`,
      "edited sub (attacker's token, original signature)": `${attackerParts[0]}.${b64({ ...decodeJwt(attacker.session.access_token).payload, sub: victim.id })}.${attackerParts[2]}`,
      expired: await sign({ ...payload, iat: now - 1200, exp: now - 600 }),
      "unknown kid": await sign(payload, { alg: "ES256", kid: crypto.randomUUID(), typ: "JWT" }, rogueKey),
      "HS256 signed with the anon key": await sign(payload, { alg: "HS256", typ: "JWT" }, new TextEncoder().encode(secrets.anon_key)),
      "HS256 signed with the JWT secret": await sign(payload, { alg: "HS256", typ: "JWT" }, new TextEncoder().encode(secrets.jwt_secret)),
      "foreign aud": await sign({ ...payload, aud: "https://other-project.example" }),
      "no session_id": await sign(withoutSessionId),
    });
  });

  /** The victim's session cookie with a different access token and a refresh token the attacker does not have. */
  const cookieWith = (accessToken: string) =>
    encodeSession({ ...victim.session, access_token: accessToken, refresh_token: "attacker-does-not-have-it" });

  test("control: the victim's claims re-signed with the server's key are accepted (the forging is sound)", async ({ playwright }) => {
    for (const path of ["/account", "/admin"]) {
      const result = await visit(playwright, path, { cookie: cookieWith(forged.genuine as string) });
      expect(result.hops).toHaveLength(1);
      expect(result.last.status).toBe(200);
      expect(result.last.body).toContain(path === "/account" ? victim.email : 'data-testid="admin-users"');
    }
  });

  for (const name of [
    "alg none",
    "alg none with the server's kid",
    "unsupported alg (PS256) with the server's kid",
    "edited sub (attacker's token, original signature)",
    "expired",
    "unknown kid",
    "HS256 signed with the anon key",
    "HS256 signed with the JWT secret",
    "foreign aud",
    "no session_id",
  ]) {
    test(`${name}: rejected on /account and /admin, nothing of the victim rendered`, async ({ playwright }) => {
      const token = forged[name];
      expect(token).toBeTruthy();
      for (const path of ["/account", "/admin"]) {
        const result = await visit(playwright, path, { cookie: cookieWith(token as string) });
        expectBackAtLogin(result, path);
        expectNoUserData(result.hops, victim);
        for (const hop of result.hops) expect(hop.body).not.toContain(attacker.name);
        expect(result.sessionCookieLeft, "the forged cookie is cleared").toBe(false);
      }
    });
  }
});

test("malformed session cookies never break a page: /login renders and /account goes to /login", async ({ playwright }) => {
  const b64 = (text: string) => `base64-${Buffer.from(text).toString("base64url")}`;
  const MALFORMED = [
    "base64-%%%not-base64",
    b64("{"),
    b64("null"),
    b64("[]"),
    b64(JSON.stringify({ access_token: 42, refresh_token: {} })),
    b64(JSON.stringify({ access_token: "a.b", refresh_token: "r", expires_at: 9999999999 })),
    b64(JSON.stringify({ access_token: "eyJ.eyJ.sig", refresh_token: "r", expires_at: 9999999999 })),
    b64(JSON.stringify({ access_token: `${Buffer.from('{"alg":"ES256","kid":1}').toString("base64url")}.e30.x`, refresh_token: "r", expires_at: 9999999999 })),
    "x".repeat(3000),
  ];
  for (const cookie of MALFORMED) {
    const login = await visit(playwright, "/login", { cookie });
    expect(login.hops.map((h) => h.status), cookie.slice(0, 60)).toEqual([200]);
    expect(login.last.body).toContain(">Sign in</h1>");
    const account = await visit(playwright, "/account", { cookie });
    for (const hop of account.hops) expect(hop.status, `${cookie.slice(0, 60)} ${hop.url}`).toBeLessThan(500);
    expect(new URL(account.last.url).pathname).toBe("/login");
  }
});

test("30 parallel requests with an expired access token all succeed and leave the user signed in", async ({ playwright }) => {
  const who = await signedInUser(playwright, "parallel", "Parker Parallel");
  // The access token is treated as expired (expires_at in the past); the real refresh token is kept, so
  // every one of the 30 requests makes the middleware refresh with the same refresh token at once.
  const stale = encodeSession({ ...who.session, expires_at: Math.floor(Date.now() / 1000) - 30 });
  const results = await Promise.all(Array.from({ length: 30 }, () => visit(playwright, "/account", { cookie: stale })));

  const refreshed = new Set<string>();
  for (const { hops } of results) {
    expect(hops.map((h) => h.status)).toEqual([200]);
    const [hop] = hops;
    expect(hop?.body).toContain(who.email);
    const setCookies = hop?.response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie") ?? [];
    const sessionCookie = setCookies.find((h) => h.value.startsWith(`${sessionCookieName()}=`));
    expect(sessionCookie, "the refreshed session is written back").toBeTruthy();
    const cacheControl = hop?.response.headers()["cache-control"] ?? "";
    expect(cacheControl).toContain("private");
    expect(cacheControl).toContain("no-store");
    const value = /^[^=]+=([^;]*)/.exec(sessionCookie?.value ?? "")?.[1] ?? "";
    const session = decodeSession(value);
    expect(session.refresh_token).not.toBe(who.session.refresh_token);
    expect(session.expires_at * 1000).toBeGreaterThan(Date.now());
    refreshed.add(value);
  }

  // Whichever response the browser kept last, the session goes on: the cookie works, and it refreshes again.
  for (const value of refreshed) {
    const again = await visit(playwright, "/account", { cookie: value });
    expect(again.hops.map((h) => h.status)).toEqual([200]);
    expect(again.last.body).toContain(who.email);
    const next = decodeSession(value);
    const refreshAgain = await visit(playwright, "/account", { cookie: encodeSession({ ...next, expires_at: Math.floor(Date.now() / 1000) - 30 }) });
    expect(refreshAgain.hops.map((h) => h.status)).toEqual([200]);
    expect(refreshAgain.last.body).toContain(who.email);
  }
  // No reuse detection fired: the session still has a live refresh token (reuse revokes them all).
  const sessionId = decodeJwt(who.session.access_token).payload.session_id as string;
  const live = await sql("select 1 from auth.refresh_tokens where session_id = $1::uuid and not revoked", [sessionId]);
  expect(live.length).toBeGreaterThan(0);
});

test.describe("x-middleware-subrequest (CVE-2025-29927) does not skip the checks", () => {
  const VALUES = [
    "middleware",
    "middleware:middleware:middleware:middleware:middleware",
    "src/middleware",
    "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
    "pages/_middleware",
    "proxy:proxy:proxy:proxy:proxy",
    "src/proxy:src/proxy:src/proxy:src/proxy:src/proxy",
  ];

  test("without a session: /account and /admin still redirect to /login, and middleware still ran", async ({ playwright }) => {
    for (const value of VALUES) {
      for (const path of ["/account", "/admin"]) {
        const result = await visit(playwright, path, { headers: { "x-middleware-subrequest": value } });
        const [first] = result.hops;
        expect(first?.status, `${value} ${path}`).toBe(307);
        expect(first?.location).toBe(`/login?next=${encodeURIComponent(path)}`);
        // The security headers come from middleware: their presence shows it was not skipped.
        expect(first?.response.headers()["content-security-policy"] ?? "", `${value} ${path}`).toContain("frame-ancestors 'none'");
        expect(first?.body).not.toContain('data-testid="admin-users"');
        expect(first?.body).not.toContain('data-testid="account-email"');
      }
    }
  });

  test("with a forged or a non-admin session: still denied", async ({ playwright }) => {
    const user = await signedInUser(playwright, "subreq", "Sub Request");
    const { header, payload } = decodeJwt(user.session.access_token);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const algNone = encodeSession({ ...user.session, access_token: `${b64({ ...header, alg: "none" })}.${b64(payload)}.`, refresh_token: "x" });
    for (const value of VALUES) {
      const forged = await visit(playwright, "/account", { cookie: algNone, headers: { "x-middleware-subrequest": value } });
      expectBackAtLogin(forged, "/account");
      expectNoUserData(forged.hops, user);
      const plain = await visit(playwright, "/admin", { cookie: encodeSession(user.session), headers: { "x-middleware-subrequest": value } });
      // Without users.read the admin area answers 404, as if it did not exist.
      expect(plain.hops.map((h) => h.status)).toEqual([404]);
      expect(plain.hops.map((h) => h.body).join("")).not.toContain('data-testid="admin-users"');
    }
  });
});

test.describe("security headers", () => {
  function expectSecurityHeaders(headers: Record<string, string>, body: string) {
    const csp = headers["content-security-policy"] ?? "";
    const nonce = /script-src [^;]*'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toMatch(/(^|;\s*)frame-ancestors 'none'(;|$)/);
    expect(csp).toMatch(/(^|;\s*)object-src 'none'(;|$)/);
    // Every script Next.js renders carries this response's nonce.
    const scripts = [...body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["strict-transport-security"], "no HSTS on http://localhost").toBeUndefined();
    return nonce as string;
  }

  test("/login and /account: CSP with a per-response nonce on every script, no framing, nosniff, Referrer-Policy, no HSTS", async ({
    playwright,
  }) => {
    const first = await visit(playwright, "/login");
    const second = await visit(playwright, "/login");
    const n1 = expectSecurityHeaders(first.last.response.headers(), first.last.body);
    const n2 = expectSecurityHeaders(second.last.response.headers(), second.last.body);
    expect(n1).not.toBe(n2);

    const who = await signedInUser(playwright, "headers", "Hedda Headers");
    const account = await visit(playwright, "/account", { cookie: encodeSession(who.session) });
    expect(account.last.body).toContain(who.email);
    expectSecurityHeaders(account.last.response.headers(), account.last.body);
  });

  test("in the browser the CSP blocks nothing of the app's own and the page cannot be framed", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await page.goto("/login");
    await signIn(page, "google", { email: uniqueEmail("csp"), name: "Cass Policy" });
    await expect(page.getByTestId("account-name")).toHaveText("Cass Policy");
    // Next's client runtime ran under the nonce: the router is hydrated.
    await expect.poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next)).toBe("object");
    expect(violations).toEqual([]);

    await page.setContent(`<iframe id="f" src="${APP_ORIGIN}/login"></iframe>`);
    const framed = page.frames().find((f) => f.url().startsWith(`${APP_ORIGIN}/login`));
    const framedHeading = framed ? await framed.locator("h1").count().catch(() => 0) : 0;
    expect(framedHeading).toBe(0);
  });

  test("every response that sets or clears a session cookie is Cache-Control: private, no-store", async ({ playwright }) => {
    const ctx = await playwright.request.newContext();
    const email = uniqueEmail("cache");
    const seen: { url: string; cacheControl: string; cookies: string[] }[] = [];
    const record = (response: APIResponse) => {
      const cookies = response
        .headersArray()
        .filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("sb-"))
        .map((h) => h.value.split("=")[0] as string);
      if (new URL(response.url()).origin === APP_ORIGIN && cookies.length > 0) {
        seen.push({ url: response.url(), cacheControl: response.headers()["cache-control"] ?? "", cookies });
      }
    };
    try {
      // The sign-in walked hop by hop (the emulator's login_hint skips its page).
      let response = await ctx.post(`${APP_ORIGIN}/auth/sign-in`, { headers: { origin: APP_ORIGIN }, form: { provider: "google", next: "/account" }, maxRedirects: 0 });
      record(response);
      for (let i = 0; i < 10 && response.headers().location; i++) {
        const url = new URL(response.headers().location as string, response.url());
        if (/\/google\/authorize$/.test(url.pathname)) url.searchParams.set("login_hint", email);
        response = await ctx.get(url.toString(), { maxRedirects: 0 });
        record(response);
      }
      expect(new URL(response.url()).pathname).toBe("/account");
      const { session } = await sessionOf(ctx);
      // A refresh in middleware.
      const refreshed = await visit(playwright, "/account", { cookie: encodeSession({ ...session, expires_at: 1 }) });
      record(refreshed.last.response);
      // A dead session cleared by /auth/signed-out.
      const dead = await visit(playwright, "/account", { cookie: encodeSession({ ...session, access_token: "x.y.z", refresh_token: "x" }) });
      for (const hop of dead.hops) record(hop.response);
      // Sign-out.
      record(await ctx.post(`${APP_ORIGIN}/auth/sign-out`, { headers: { origin: APP_ORIGIN }, form: { scope: "local" }, maxRedirects: 0 }));
    } finally {
      await ctx.dispose();
    }
    const paths = seen.map((s) => new URL(s.url).pathname);
    for (const expected of ["/auth/sign-in", "/auth/callback", "/account", "/auth/signed-out", "/auth/sign-out"]) expect(paths).toContain(expected);
    for (const s of seen) {
      expect(s.cacheControl, `${s.url} sets ${s.cookies.join(", ")}`).toContain("private");
      expect(s.cacheControl, `${s.url} sets ${s.cookies.join(", ")}`).toContain("no-store");
    }
  });
});
