import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from "jose";
import {
  APP_ORIGIN,
  appCookie,
  decodeJwt,
  encodeSession,
  publishedKids,
  sessionCookieName,
  sessionOf,
  signIn,
  signInByRequest,
  stackSigningKeys,
  uniqueEmail,
} from "./support";

function rotateKeys(stage: boolean): void {
  execFileSync(process.execPath, ["stack/cli.ts", "rotate-keys", ...(stage ? ["--stage"] : [])], { stdio: "pipe" });
}

function signingKid(): string {
  const key = stackSigningKeys().find((k) => k.status === "signing");
  if (!key) throw new Error("no signing key");
  return key.kid;
}

test("two-step key rotation while the app runs: nobody is signed out, new tokens carry the new kid, unpublished keys are refused", async ({
  page,
  context,
  browser,
  playwright,
}) => {
  const who = { email: uniqueEmail("rotate"), name: "Rhea Rotation" };
  await signIn(page, "google", who);
  await expect(page.getByTestId("account-name")).toHaveText(who.name);
  const oldKid = signingKid();
  const before = (await sessionOf(context)).session;
  expect(decodeJwt(before.access_token).header.kid).toBe(oldKid);

  // Step 1: publish the next key as verify-only. Signing does not change.
  rotateKeys(true);
  const standby = stackSigningKeys().find((k) => k.status === "standby")?.kid;
  expect(standby).toBeTruthy();
  await expect.poll(publishedKids, { timeout: 5000 }).toContain(standby);
  await page.goto("/account");
  await expect(page.getByTestId("account-name")).toHaveText(who.name);

  // Step 2: the standby key signs; the old one stays published (verify-only) until its tokens have expired.
  rotateKeys(false);
  const newKid = signingKid();
  expect(newKid).toBe(standby);
  const kids = await publishedKids();
  expect(kids).toContain(oldKid);
  expect(kids).toContain(newKid);

  // The signed-in user's token (old kid) still works, without signing in again.
  await page.goto("/account");
  await expect(page.getByTestId("account-name")).toHaveText(who.name);
  expect((await sessionOf(context)).session.access_token).toBe(before.access_token);

  // A new sign-in gets a token with the new kid (once the Auth server has re-read its key file), and the
  // app, which has never seen that kid, accepts it without a restart.
  const fresh = { email: uniqueEmail("rotate-new"), name: "Nico Newkey" };
  await expect
    .poll(
      async () => {
        const api = await playwright.request.newContext();
        try {
          await signInByRequest(api, { email: uniqueEmail("rotate-probe") });
          return decodeJwt((await sessionOf(api)).session.access_token).header.kid;
        } finally {
          await api.dispose();
        }
      },
      { timeout: 5000 },
    )
    .toBe(newKid);
  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    await signIn(second, "google", fresh);
    await expect(second).toHaveURL(/\/account$/);
    await expect(second.getByTestId("account-name")).toHaveText(fresh.name);
    expect(decodeJwt((await sessionOf(other)).session.access_token).header.kid).toBe(newKid);
  } finally {
    await other.close();
  }

  // The first user's next refresh (access token treated as expired) brings a new-kid token: still signed in.
  await context.addCookies([appCookie(sessionCookieName(), encodeSession({ ...before, expires_at: Math.floor(Date.now() / 1000) - 30 }))]);
  await page.goto("/account");
  await expect(page.getByTestId("account-name")).toHaveText(who.name);
  const refreshed = (await sessionOf(context)).session;
  expect(refreshed.access_token).not.toBe(before.access_token);
  expect(decodeJwt(refreshed.access_token).header.kid).toBe(newKid);

  // A token from a key that is not (or no longer) in the JWKS is refused: the same claims signed by a
  // generated key, under a kid nobody publishes and under the published old kid.
  const { payload } = decodeJwt(refreshed.access_token);
  const { privateKey: removedKey } = await generateKeyPair("ES256");
  const signWith = (kid: string) => new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(removedKey);
  const unpublishedKid = crypto.randomUUID();
  expect(await publishedKids()).not.toContain(unpublishedKid);
  const serverKey = await importJWK(stackSigningKeys().find((k) => k.kid === newKid)?.private_jwk ?? {}, "ES256");
  const control = await new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: "ES256", kid: newKid, typ: "JWT" }).sign(serverKey);
  for (const [label, token, accepted] of [
    ["control: re-signed with the new signing key", control, true],
    ["an unpublished key and kid", await signWith(unpublishedKid), false],
    ["an unpublished key claiming the old kid", await signWith(oldKid), false],
    ["an unpublished key claiming the new kid", await signWith(newKid), false],
  ] as const) {
    const api = await playwright.request.newContext();
    try {
      const cookie = encodeSession({ ...refreshed, access_token: token, refresh_token: "not-the-real-one" });
      const response = await api.get(`${APP_ORIGIN}/account`, { headers: { cookie: `${sessionCookieName()}=${cookie}` }, maxRedirects: 0 });
      const body = await response.text();
      if (accepted) {
        expect(response.status(), label).toBe(200);
        expect(body, label).toContain(who.email);
      } else {
        expect(response.status(), label).toBe(307);
        expect(response.headers().location, label).toMatch(/^\/auth\/signed-out\?/);
        expect(body, label).not.toContain(who.email);
        expect(body, label).not.toContain(who.name);
      }
    } finally {
      await api.dispose();
    }
  }
});
