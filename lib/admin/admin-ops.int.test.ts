import { randomUUID } from "node:crypto";
import { createClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { loadLocalStackEnv } from "../test-support/local-env";
import { totpCode } from "../test-support/totp";
import { anonClient, testUsers } from "../test-support/users";
import { createAdminClient } from "../supabase/admin";
import { banUser } from "./ban-user";
import { createUser } from "./create-user";
import { deleteUser } from "./delete-user";
import { endUserSession } from "./end-user-session";
import { removeFactor } from "./remove-factor";
import { revokeSessions } from "./revoke-sessions";
import { setRole } from "./set-role";
import { unbanUser } from "./unban-user";

// The admin writes against the running local stack (`npm run stack -- start`): the real Auth server and its
// admin API, a real TOTP enrolment for the acting admin's AAL2 session, Postgres with the project's
// migrations and RLS. Nothing is mocked.
loadLocalStackEnv();

const META = { ip: "203.0.113.9", userAgent: "admin-ops.int.test", requestId: `req-${randomUUID()}` };
const PASSWORD = "correct-horse-battery-staple";
const DOMAIN = "admin-ops.test";
const { db, createUser: newUser, contextFor, contextFromToken, signIn, cleanup } = testUsers(DOMAIN);
const createdHere: string[] = [];

/** Signs in with a password, enrols a TOTP factor and gives a code: what the guard hands a route on an AAL2 session. */
async function aal2Context(email: string): Promise<AuthContext> {
  const client = anonClient();
  const signedIn = await client.auth.signInWithPassword({ email, password: PASSWORD });
  if (!signedIn.data.session) throw signedIn.error ?? new Error("no session");
  const enrolled = await client.auth.mfa.enroll({ factorType: "totp", friendlyName: "Phone" });
  if (enrolled.error || !enrolled.data) throw enrolled.error ?? new Error("no factor");
  const verified = await client.auth.mfa.challengeAndVerify({ factorId: enrolled.data.id, code: totpCode(enrolled.data.totp.secret) });
  if (verified.error || !verified.data) throw verified.error ?? new Error("not verified");
  return contextFromToken(verified.data.access_token, email);
}

async function sessionCount(userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${userId}`;
  return row?.n ?? 0;
}

async function auditRows(targetUserId: string, action?: string) {
  return db<{ actor_id: string; action: string; ip: string | null; user_agent: string | null; request_id: string | null; before: unknown; after: unknown }[]>`
    select actor_id, action, host(ip) as ip, user_agent, request_id, before, after
    from public.audit_events
    where target_user_id = ${targetUserId} and (${action ?? null}::text is null or action = ${action ?? null}::text)
    order by created_at`;
}

let admin: AuthContext;
let aal1Admin: AuthContext;
let support: AuthContext;
let plain: AuthContext;

beforeAll(async () => {
  const a = await newUser("admin", "admin");
  admin = await aal2Context(a.email);
  aal1Admin = await contextFor((await newUser("aal1-admin", "admin")).email);
  support = await contextFor((await newUser("support", "support")).email);
  plain = await contextFor((await newUser("plain")).email);
});

afterAll(async () => {
  const client = createAdminClient().auth.admin;
  for (const id of createdHere) await client.deleteUser(id).catch(() => undefined);
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("who may write", () => {
  it("refuses a plain user and support (read-only) with forbidden, and an admin without a factor with mfa_enrolment_required", async () => {
    const target = await newUser("who");
    await signIn(target.email);
    const forbidden = { ok: false, error: { code: "forbidden", message: "You do not have permission to do this" } };
    expect(await revokeSessions(plain, { userId: target.id })).toEqual(forbidden);
    expect(await revokeSessions(support, { userId: target.id })).toEqual(forbidden);
    expect(await banUser(support, { userId: target.id, duration: "1h", reason: "x" })).toEqual(forbidden);
    expect(await revokeSessions(aal1Admin, { userId: target.id })).toEqual({
      ok: false,
      error: { code: "mfa_enrolment_required", message: "Set up two-factor authentication before making changes" },
    });
    expect(await banUser(aal1Admin, { userId: target.id, duration: "1h", reason: "x" })).toMatchObject({ ok: false, error: { code: "mfa_enrolment_required" } });
    expect(await sessionCount(target.id)).toBe(1);
    expect(await auditRows(target.id)).toEqual([]);
  });

  it("refuses an admin whose factor is verified but whose session is aal1 with mfa_required", async () => {
    const a = await newUser("aal1-with-factor", "admin");
    await aal2Context(a.email);
    const aal1 = await contextFor(a.email);
    expect(aal1.claims.aal).toBe("aal1");
    const target = await newUser("who-2");
    expect(await revokeSessions(aal1, { userId: target.id })).toEqual({
      ok: false,
      error: { code: "mfa_required", message: "Enter a code from your authenticator app before making changes" },
    });
  });

  it("is refused by Postgres when the caller's role is stale (demoted since the guard ran)", async () => {
    const demoted = await newUser("demoted");
    const stale = await contextFor(demoted.email, "admin");
    const target = await newUser("stale-target");
    expect(await setRole(stale, { userId: target.id, role: "admin" })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const [row] = await db<{ role: string }[]>`select role::text from public.user_roles where user_id = ${target.id}`;
    expect(row?.role).toBe("user");
  });
});

describe("banUser and unbanUser", () => {
  it("bans with a duration and a reason: sessions end, sign-in and refresh are refused, the audit row has before and after", async () => {
    const target = await newUser("ban");
    const first = await signIn(target.email);
    const result = await banUser(admin, { userId: target.id, duration: "24h", reason: "spam" }, META);
    expect(result).toMatchObject({ ok: true, userId: target.id, sessionsRevoked: 1 });
    if (!result.ok) return;
    const hours = (Date.parse(result.bannedUntil) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(await sessionCount(target.id)).toBe(0);
    const refreshed = await anonClient().auth.refreshSession({ refresh_token: first.data.session?.refresh_token ?? "" });
    expect(refreshed.error).not.toBeNull();
    const again = await signIn(target.email);
    expect(again.data.session).toBeNull();
    expect(again.error?.code).toBe("user_banned");
    expect(await auditRows(target.id)).toEqual([
      {
        actor_id: admin.userId,
        action: "user.ban",
        ip: META.ip,
        user_agent: META.userAgent,
        request_id: META.requestId,
        before: { banned_until: null },
        after: { banned_until: expect.any(String), ban_duration: "24h", sessions_revoked: 1, reason: "spam" },
      },
    ]);

    const lifted = await unbanUser(admin, { userId: target.id, reason: "appeal" }, META);
    expect(lifted).toMatchObject({ ok: true, userId: target.id, changed: true, previousBannedUntil: expect.any(String) });
    expect((await signIn(target.email)).data.session).not.toBeNull();
    expect(await auditRows(target.id, "user.unban")).toEqual([
      expect.objectContaining({ actor_id: admin.userId, before: { banned_until: expect.any(String) }, after: { banned_until: null, reason: "appeal" } }),
    ]);
    expect(await unbanUser(admin, { userId: target.id })).toMatchObject({ ok: true, changed: false });
  });

  it("refuses the admin's own account, an unknown user and bad input", async () => {
    const target = await newUser("ban-input");
    expect(await banUser(admin, { userId: admin.userId, duration: "1h", reason: "x" })).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "You cannot ban your own account" },
    });
    expect(await banUser(admin, { userId: randomUUID(), duration: "1h", reason: "x" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    const bad: unknown[] = [
      { userId: target.id, duration: "forever", reason: "x" },
      { userId: target.id, duration: "0s", reason: "x" },
      { userId: target.id, duration: "876001h", reason: "x" },
      { userId: target.id, duration: "-1h", reason: "x" },
      { userId: target.id, duration: "1h" },
      { userId: target.id, duration: "1h", reason: "   " },
      { userId: target.id, duration: "1h", reason: "x".repeat(501) },
      { userId: target.id, duration: "1h", reason: "line\nbreak" },
      { userId: target.id, duration: "1h", reason: "x", extra: true },
      { userId: "not-a-uuid", duration: "1h", reason: "x" },
    ];
    for (const input of bad) expect(await banUser(admin, input), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    const [user] = await db<{ banned_until: Date | null }[]>`select banned_until from auth.users where id = ${target.id}`;
    expect(user?.banned_until).toBeNull();
    expect(await auditRows(target.id)).toEqual([]);
  });
});

describe("setRole", () => {
  it("assigns and removes a role, effective at once, each with its audit row", async () => {
    const target = await newUser("promote");
    expect(await setRole(admin, { userId: target.id, role: "support", reason: "new hire" }, META)).toEqual({
      ok: true,
      userId: target.id,
      before: "user",
      after: "support",
      changed: true,
    });
    expect(await setRole(admin, { userId: target.id, role: "support" })).toMatchObject({ ok: true, changed: false });
    expect(await setRole(admin, { userId: target.id, role: null })).toMatchObject({ ok: true, before: "support", after: null, changed: true });
    const rows = await db`select 1 from public.user_roles where user_id = ${target.id}`;
    expect(rows).toHaveLength(0);
    expect((await auditRows(target.id)).map((r) => [r.action, r.before, r.after])).toEqual([
      ["role.assign", { role: "user" }, { role: "support", reason: "new hire" }],
      ["role.remove", { role: "support" }, { role: null, reason: null }],
    ]);
  });

  it("refuses the admin's own role, an unknown role, an unknown field and an unknown user", async () => {
    expect(await setRole(admin, { userId: admin.userId, role: "user" })).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "You cannot change your own role" },
    });
    const target = await newUser("role-input");
    expect(await setRole(admin, { userId: target.id, role: "root" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await setRole(admin, { userId: target.id })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await setRole(admin, { userId: target.id, role: "admin", extra: 1 })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await setRole(admin, { userId: randomUUID(), role: "support" })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe("endUserSession and revokeSessions", () => {
  it("ends one session, then all, each in the transaction of its audit row", async () => {
    const target = await newUser("sessions");
    const one = await contextFor(target.email);
    const other = await contextFor(target.email);
    expect(await endUserSession(admin, { userId: target.id, sessionId: one.sessionId }, META)).toEqual({
      ok: true,
      userId: target.id,
      sessionId: one.sessionId,
    });
    const left = await db<{ id: string }[]>`select id from auth.sessions where user_id = ${target.id}`;
    expect(left.map((r) => r.id)).toEqual([other.sessionId]);
    expect(await endUserSession(admin, { userId: target.id, sessionId: one.sessionId })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await endUserSession(admin, { userId: target.id, sessionId: "x" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });

    await signIn(target.email);
    expect(await revokeSessions(admin, { userId: target.id }, META)).toEqual({ ok: true, userId: target.id, sessionsRevoked: 2 });
    expect(await sessionCount(target.id)).toBe(0);
    expect((await auditRows(target.id)).map((r) => [r.action, r.after])).toEqual([
      ["session.end", { sessions_ended: 1 }],
      ["sessions.revoke", { sessions: 0, sessions_revoked: 2, reason: null }],
    ]);
    expect(await revokeSessions(admin, { userId: admin.userId })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  });
});

describe("removeFactor", () => {
  it("removes a user's factor through the Auth admin API: their sessions drop to aal1, the audit row is written in the deletion", async () => {
    const target = await newUser("lost-phone");
    const targetAal2 = await aal2Context(target.email);
    const [factor] = await db<{ id: string }[]>`select id from auth.mfa_factors where user_id = ${target.id}`;
    expect(await removeFactor(support, { userId: target.id, factorId: factor!.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await removeFactor(admin, { userId: target.id, factorId: randomUUID() })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await removeFactor(admin, { userId: target.id, factorId: factor!.id, reason: "lost phone" }, META)).toEqual({
      ok: true,
      userId: target.id,
      factorId: factor!.id,
    });
    expect(await db`select 1 from auth.mfa_factors where user_id = ${target.id}`).toHaveLength(0);
    const [session] = await db<{ aal: string }[]>`select aal::text from auth.sessions where id = ${targetAal2.sessionId}`;
    expect(session?.aal).toBe("aal1");
    expect(await auditRows(target.id, "factor.delete")).toEqual([
      expect.objectContaining({
        actor_id: admin.userId,
        ip: META.ip,
        before: { factor_id: factor!.id, factor_type: "totp", friendly_name: "Phone", status: "verified" },
        after: { factor_id: null, reason: "lost phone" },
      }),
    ]);
  });
});

describe("deleteUser", () => {
  it("needs the user's email typed, deletes through the Auth admin API, and the audit row remains", async () => {
    const target = await newUser("delete", "support");
    await signIn(target.email);
    expect(await deleteUser(admin, { userId: target.id, confirmEmail: "someone@else.test" })).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "Type the user's email address to confirm" },
    });
    expect(await deleteUser(admin, { userId: target.id })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await deleteUser(support, { userId: target.id, confirmEmail: target.email })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await deleteUser(admin, { userId: admin.userId, confirmEmail: admin.email })).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "You cannot delete your own account here" },
    });
    expect(await deleteUser(admin, { userId: target.id, confirmEmail: target.email.toUpperCase(), reason: "abuse" }, META)).toEqual({
      ok: true,
      userId: target.id,
    });
    const [left] = await db<{ users: number; profiles: number; sessions: number }[]>`
      select (select count(*)::int from auth.users where id = ${target.id}) as users,
             (select count(*)::int from public.profiles where id = ${target.id}) as profiles,
             (select count(*)::int from auth.sessions where user_id = ${target.id}) as sessions`;
    expect(left).toEqual({ users: 0, profiles: 0, sessions: 0 });
    expect(await auditRows(target.id, "user.delete")).toEqual([
      expect.objectContaining({
        actor_id: admin.userId,
        request_id: META.requestId,
        before: expect.objectContaining({ email: target.email, role: "support" }),
        after: { deleted: true, sessions_ended: 1, reason: "abuse" },
      }),
    ]);
    expect(await deleteUser(admin, { userId: target.id, confirmEmail: target.email })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

/** A Google sign-in through the Auth server and the emulator (identity chosen with login_hint), PKCE, no browser. */
async function googleSignIn(email: string) {
  const store = new Map<string, string>();
  const client = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL as string, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY as string, {
    auth: {
      flowType: "pkce",
      persistSession: true,
      autoRefreshToken: false,
      detectSessionInUrl: false,
      storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    },
  });
  const started = await client.auth.signInWithOAuth({
    provider: "google",
    options: { redirectTo: "http://localhost:3000/auth/callback", skipBrowserRedirect: true },
  });
  if (started.error || !started.data.url) throw started.error ?? new Error("no url");
  let url = started.data.url;
  for (let hop = 0; hop < 10 && !url.startsWith("http://localhost:3000/"); hop++) {
    const target = new URL(url);
    if (/\/google\/authorize$/.test(target.pathname)) target.searchParams.set("login_hint", email);
    const res = await fetch(target, { redirect: "manual" });
    const location = res.headers.get("location");
    if (!location) throw new Error(`the sign-in stopped at ${target.pathname} with ${res.status}: ${(await res.text()).slice(0, 200)}`);
    url = new URL(location, target).toString();
  }
  const code = new URL(url).searchParams.get("code");
  if (!code) throw new Error(`no code in ${url}`);
  return client.auth.exchangeCodeForSession(code);
}

describe("createUser", () => {
  it("creates a user with a name and a role through the Auth admin API; a Google sign-in with that email lands on them", async () => {
    const email = `created-${randomUUID().slice(0, 8)}@${DOMAIN}`;
    const result = await createUser(admin, { email: email.toUpperCase(), name: "Grace Hopper", role: "support" }, META);
    expect(result).toMatchObject({ ok: true, user: { email, name: "Grace Hopper", role: "support" } });
    if (!result.ok) return;
    createdHere.push(result.user.id);
    const [row] = await db<{ role: string; display_name: string; confirmed: boolean }[]>`
      select r.role::text, p.display_name, u.email_confirmed_at is not null as confirmed
      from auth.users u join public.user_roles r on r.user_id = u.id join public.profiles p on p.id = u.id
      where u.id = ${result.user.id}`;
    expect(row).toEqual({ role: "support", display_name: "Grace Hopper", confirmed: true });
    expect(await auditRows(result.user.id)).toEqual([
      {
        actor_id: admin.userId,
        action: "user.create",
        ip: META.ip,
        user_agent: META.userAgent,
        request_id: META.requestId,
        before: null,
        after: { email, display_name: "Grace Hopper", role: "support", reason: null },
      },
    ]);

    expect(await createUser(admin, { email, name: "Again", role: "user" })).toEqual({
      ok: false,
      error: { code: "conflict", message: "A user with this email already exists" },
    });

    const signedIn = await googleSignIn(email);
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.id).toBe(result.user.id);
    const [after] = await db<{ providers: string[]; role: string; display_name: string }[]>`
      select array(select i.provider from auth.identities i where i.user_id = u.id order by 1) as providers, r.role::text, p.display_name
      from auth.users u join public.user_roles r on r.user_id = u.id join public.profiles p on p.id = u.id where u.id = ${result.user.id}`;
    expect(after).toEqual({ providers: ["email", "google"], role: "support", display_name: "Grace Hopper" });
  });

  it("is refused without users.create or AAL2, and for bad input, creating nobody", async () => {
    const email = `refused-${randomUUID().slice(0, 8)}@${DOMAIN}`;
    expect(await createUser(support, { email, name: "X", role: "user" })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await createUser(aal1Admin, { email, name: "X", role: "user" })).toMatchObject({ ok: false, error: { code: "mfa_enrolment_required" } });
    const bad: unknown[] = [
      { email: "not-an-email", name: "X", role: "user" },
      { email, name: "", role: "user" },
      { email, name: "x".repeat(101), role: "user" },
      { email, name: "<b>", role: "user" },
      { email, name: "tab\there", role: "user" },
      { email, name: "X", role: "owner" },
      { email, name: "X" },
      { email, name: "X", role: "user", password: "secret" },
    ];
    for (const input of bad) expect(await createUser(admin, input), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await db`select 1 from auth.users where email = ${email}`).toHaveLength(0);
  });
});
