import { TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { adminClient, api, followOAuth, signIn, uniqueEmail } from "./flows.ts";

// The real @supabase/supabase-js and @supabase/ssr clients against the local Auth server.
describe("supabase-js and @supabase/ssr against the local Auth server", () => {
  for (const provider of ["google", "apple"] as const) {
    it(`${provider}: PKCE sign-in, getClaims through the JWKS, refresh, sign-out scopes`, async () => {
      const email = uniqueEmail(`cl-${provider}`);
      const a = await signIn(provider, email);
      expect(a.user.email).toBe(email);
      expect(a.user.app_metadata.provider).toBe(provider);
      expect([...a.jar.keys()].some((k) => /^sb-.+-auth-token$/.test(k))).toBe(true);

      const claims = await a.client.auth.getClaims();
      expect(claims.error).toBeNull();
      expect(claims.data?.header.alg).toBe("ES256");
      expect(claims.data?.claims.sub).toBe(a.user.id);
      expect(claims.data?.claims.session_id).toBeTruthy();

      const refreshed = await a.client.auth.refreshSession();
      expect(refreshed.error).toBeNull();
      expect(refreshed.data.session?.refresh_token).not.toBe(a.session.refresh_token);
      expect(refreshed.data.session?.user.id).toBe(a.user.id);

      const status = async (token: string) => (await api("/user", { token })).status;
      const b = await signIn(provider, email);
      const c = await signIn(provider, email);
      const aToken = refreshed.data.session!.access_token;
      expect((await b.client.auth.signOut({ scope: "others" })).error).toBeNull();
      expect(await status(aToken)).toBe(403);
      expect(await status(c.session.access_token)).toBe(403);
      expect(await status(b.session.access_token)).toBe(200);
      expect((await b.client.auth.signOut({ scope: "local" })).error).toBeNull();
      expect(await status(b.session.access_token)).toBe(403);
      expect((await b.client.auth.getSession()).data.session).toBeNull();

      const d = await signIn(provider, email);
      const e = await signIn(provider, email);
      expect((await d.client.auth.signOut({ scope: "global" })).error).toBeNull();
      expect(await status(d.session.access_token)).toBe(403);
      expect(await status(e.session.access_token)).toBe(403);
      const stale = await api("/token?grant_type=refresh_token", {
        method: "POST",
        body: JSON.stringify({ refresh_token: e.session.refresh_token }),
      });
      expect(stale.status).toBe(400);
      expect(((await stale.json()) as { code: string }).code).toBe("refresh_token_not_found");
    });
  }

  it("auth.admin: list, update, ban, delete", async () => {
    const email = uniqueEmail("cl-admin");
    const signedIn = await signIn("google", email);
    const admin = adminClient();
    const list = await admin.auth.admin.listUsers({ page: 1, perPage: 1000 });
    expect(list.error).toBeNull();
    expect(list.data.users.map((u) => u.email)).toContain(email);

    const updated = await admin.auth.admin.updateUserById(signedIn.user.id, { app_metadata: { plan: "pro" } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.app_metadata.plan).toBe("pro");
    expect(updated.data.user?.app_metadata.provider).toBe("google");

    const banned = await admin.auth.admin.updateUserById(signedIn.user.id, { ban_duration: "24h" });
    expect(banned.error).toBeNull();
    expect((await signedIn.client.auth.getUser()).error?.code).toBe("user_banned");
    expect((await signedIn.client.auth.refreshSession()).error?.code).toBe("user_banned");
    await admin.auth.admin.updateUserById(signedIn.user.id, { ban_duration: "none" });
    expect((await signedIn.client.auth.getUser()).data.user?.id).toBe(signedIn.user.id);

    expect((await admin.auth.admin.deleteUser(signedIn.user.id)).error).toBeNull();
    expect((await admin.auth.admin.getUserById(signedIn.user.id)).error?.status).toBe(404);
    expect((await signedIn.client.auth.getUser()).error?.code).toBe("user_not_found");
  });

  it("mfa: enroll, challenge, verify raises the session to aal2", async () => {
    const a = await signIn("google", uniqueEmail("cl-mfa"));
    const enrolled = await a.client.auth.mfa.enroll({ factorType: "totp", friendlyName: "Phone" });
    expect(enrolled.error).toBeNull();
    const factor = enrolled.data!;
    const totp = new TOTP({ secret: factor.totp.secret, digits: 6, period: 30, algorithm: "SHA1" });
    const challenge = await a.client.auth.mfa.challenge({ factorId: factor.id });
    expect(challenge.error).toBeNull();
    const verified = await a.client.auth.mfa.verify({ factorId: factor.id, challengeId: challenge.data!.id, code: totp.generate() });
    expect(verified.error).toBeNull();
    const aal = await a.client.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data?.currentLevel).toBe("aal2");
    const claims = await a.client.auth.getClaims();
    expect(claims.data?.claims.aal).toBe("aal2");
    // Most recent first by whole seconds; entries of the same second come in any order (as on Supabase).
    const amr = claims.data?.claims.amr as { method: string; timestamp: number }[];
    expect(amr.map((m) => m.method).sort()).toEqual(["oauth", "totp"]);
    const byMethod = Object.fromEntries(amr.map((m) => [m.method, m.timestamp]));
    expect(byMethod.totp).toBeGreaterThanOrEqual(byMethod.oauth!);
    const removed = await a.client.auth.mfa.unenroll({ factorId: factor.id });
    expect(removed.error).toBeNull();
  });

  it("linkIdentity and unlinkIdentity", async () => {
    const email = uniqueEmail("cl-link");
    const a = await signIn("google", email);
    const link = await a.client.auth.linkIdentity({
      provider: "apple",
      options: { redirectTo: "http://localhost:3000/auth/callback", skipBrowserRedirect: true },
    });
    expect(link.error).toBeNull();
    const landed = await followOAuth(link.data.url!, uniqueEmail("cl-link-apple"));
    const code = landed.searchParams.get("code");
    expect(code).toBeTruthy();
    const exchanged = await a.client.auth.exchangeCodeForSession(code!);
    expect(exchanged.error).toBeNull();
    const identities = await a.client.auth.getUserIdentities();
    expect(identities.data?.identities.map((i) => i.provider).sort()).toEqual(["apple", "google"]);
    const apple = identities.data!.identities.find((i) => i.provider === "apple")!;
    expect((await a.client.auth.unlinkIdentity(apple)).error).toBeNull();
    const after = await a.client.auth.getUserIdentities();
    expect(after.data?.identities.map((i) => i.provider)).toEqual(["google"]);
    const last = after.data!.identities[0]!;
    expect((await a.client.auth.unlinkIdentity(last)).error?.code).toBe("single_identity_not_deletable");
  });
});
