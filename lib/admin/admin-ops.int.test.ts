import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { loadLocalStackEnv } from "../test-support/local-env";
import { anonClient, testUsers } from "../test-support/users";
import { banUser } from "./ban-user";
import { deleteUser } from "./delete-user";
import { revokeSessions } from "./revoke-sessions";
import { setRole } from "./set-role";

// The admin operations against the running local stack (`npm run stack -- start`): the real Auth server
// and its admin API, Postgres with the project's migrations and RLS. Nothing is mocked.
loadLocalStackEnv();

const META = { ip: "203.0.113.9", userAgent: "admin-ops.int.test", requestId: `req-${randomUUID()}` };
const { db, createUser, contextFor, signIn: signInWithPassword, cleanup } = testUsers("admin-ops.test");

async function sessionCount(userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${userId}`;
  return row?.n ?? 0;
}

async function auditRows(targetUserId: string) {
  return db<{ actor_id: string; action: string; ip: string | null; user_agent: string | null; request_id: string | null; before: unknown; after: unknown }[]>`
    select actor_id, action, host(ip) as ip, user_agent, request_id, before, after
    from public.audit_events where target_user_id = ${targetUserId} order by created_at`;
}

let admin: AuthContext;
let support: AuthContext;

beforeAll(async () => {
  const a = await createUser("admin", "admin");
  const s = await createUser("support", "support");
  admin = await contextFor(a.email);
  support = await contextFor(s.email);
});

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("setRole", () => {
  it("lets an admin assign a role, effective at once, with its audit row", async () => {
    const target = await createUser("promote");
    const result = await setRole(admin, { userId: target.id, role: "support" }, META);
    expect(result).toEqual({ ok: true, userId: target.id, before: "user", after: "support", changed: true });
    const [row] = await db<{ role: string }[]>`select role::text from public.user_roles where user_id = ${target.id}`;
    expect(row?.role).toBe("support");
    expect(await auditRows(target.id)).toEqual([
      {
        actor_id: admin.userId,
        action: "role.assign",
        ip: META.ip,
        user_agent: META.userAgent,
        request_id: META.requestId,
        before: { role: "user" },
        after: { role: "support" },
      },
    ]);

    const again = await setRole(admin, { userId: target.id, role: "support" });
    expect(again).toMatchObject({ ok: true, changed: false });
    expect(await auditRows(target.id)).toHaveLength(1);
  });

  it("refuses support (no roles.assign) with a clear error", async () => {
    const target = await createUser("no-promote");
    expect(await setRole(support, { userId: target.id, role: "admin" })).toEqual({
      ok: false,
      error: { code: "forbidden", message: "You do not have permission to do this" },
    });
  });

  it("is refused by RLS when the caller's role is stale (demoted since the guard ran)", async () => {
    const demoted = await createUser("demoted");
    const stale = await contextFor(demoted.email, "admin");
    const target = await createUser("stale-target");
    const result = await setRole(stale, { userId: target.id, role: "admin" });
    expect(result).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const [row] = await db<{ role: string }[]>`select role::text from public.user_roles where user_id = ${target.id}`;
    expect(row?.role).toBe("user");
    expect(await auditRows(target.id)).toEqual([]);
  });

  it("validates its input and refuses the caller's own account", async () => {
    expect(await setRole(admin, { userId: "not-a-uuid", role: "admin" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await setRole(admin, { userId: randomUUID(), role: "root" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await setRole(admin, { userId: admin.userId, role: "user" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  });

  it("answers not_found for a user that does not exist", async () => {
    expect(await setRole(admin, { userId: randomUUID(), role: "support" })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe("revokeSessions", () => {
  it("deletes every session of the user in the transaction of its audit row", async () => {
    const target = await createUser("revoke");
    const first = await signInWithPassword(target.email);
    await signInWithPassword(target.email);
    expect(await sessionCount(target.id)).toBe(2);

    const result = await revokeSessions(support, { userId: target.id }, META);
    expect(result).toEqual({ ok: true, userId: target.id, sessionsRevoked: 2 });
    expect(await sessionCount(target.id)).toBe(0);
    const [audit] = await auditRows(target.id);
    expect(audit).toMatchObject({ actor_id: support.userId, action: "sessions.revoke", after: { sessions_revoked: 2 } });

    // The revoked session can no longer be refreshed.
    const refreshed = await anonClient().auth.refreshSession({ refresh_token: first.data.session?.refresh_token ?? "" });
    expect(refreshed.error).not.toBeNull();
  });

  it("refuses a plain user and a staff member whose own session was revoked", async () => {
    const target = await createUser("revoke-denied");
    await signInWithPassword(target.email);
    const plain = await contextFor((await createUser("plain")).email);
    expect(await revokeSessions(plain, { userId: target.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });

    const revokedAdmin = await contextFor((await createUser("revoked-admin", "admin")).email);
    await db`delete from auth.sessions where id = ${revokedAdmin.sessionId}`;
    expect(await revokeSessions(revokedAdmin, { userId: target.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await sessionCount(target.id)).toBe(1);
  });
});

describe("banUser", () => {
  it("bans through the Auth admin API, revokes the sessions and records both", async () => {
    const target = await createUser("ban");
    await signInWithPassword(target.email);
    const result = await banUser(admin, { userId: target.id, duration: "24h", reason: "spam" }, META);
    expect(result).toMatchObject({ ok: true, userId: target.id, sessionsRevoked: 1 });
    if (!result.ok) return;
    const hours = (Date.parse(result.bannedUntil ?? "") - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);

    expect(await sessionCount(target.id)).toBe(0);
    const [user] = await db<{ banned_until: Date | null }[]>`select banned_until from auth.users where id = ${target.id}`;
    expect(user?.banned_until?.getTime()).toBeGreaterThan(Date.now());
    // Supabase Auth refuses a banned user's password sign-in with user_banned, before checking the password.
    const signIn = await signInWithPassword(target.email);
    expect(signIn.data.session).toBeNull();
    expect(signIn.error?.code).toBe("user_banned");

    const [audit] = await auditRows(target.id);
    expect(audit).toMatchObject({
      actor_id: admin.userId,
      action: "user.ban",
      ip: META.ip,
      before: { banned_until: null },
      after: { ban_duration: "24h", sessions_revoked: 1, reason: "spam" },
    });
  });

  it("refuses support (no users.ban) before calling the Auth server", async () => {
    const target = await createUser("ban-denied");
    expect(await banUser(support, { userId: target.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const [user] = await db<{ banned_until: Date | null }[]>`select banned_until from auth.users where id = ${target.id}`;
    expect(user?.banned_until).toBeNull();
  });

  it("validates the duration and refuses a stale admin in Postgres before the Auth admin API", async () => {
    const target = await createUser("ban-input");
    expect(await banUser(admin, { userId: target.id, duration: "forever" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await banUser(admin, { userId: target.id, duration: "0s" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    const stale = await contextFor((await createUser("ban-stale")).email, "admin");
    expect(await banUser(stale, { userId: target.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const [user] = await db<{ banned_until: Date | null }[]>`select banned_until from auth.users where id = ${target.id}`;
    expect(user?.banned_until).toBeNull();
  });
});

describe("deleteUser", () => {
  it("deletes through the Auth admin API and writes the audit row right after", async () => {
    const target = await createUser("delete", "support");
    await signInWithPassword(target.email);
    const result = await deleteUser(admin, { userId: target.id }, META);
    expect(result).toEqual({ ok: true, userId: target.id, audited: true });
    const [left] = await db<{ users: number; profiles: number; sessions: number }[]>`
      select (select count(*)::int from auth.users where id = ${target.id}) as users,
             (select count(*)::int from public.profiles where id = ${target.id}) as profiles,
             (select count(*)::int from auth.sessions where user_id = ${target.id}) as sessions`;
    expect(left).toEqual({ users: 0, profiles: 0, sessions: 0 });
    expect(await auditRows(target.id)).toEqual([
      expect.objectContaining({ actor_id: admin.userId, action: "user.delete", before: { role: "support" }, after: null }),
    ]);
  });

  it("answers not_found for an unknown user and refuses support and the caller's own account", async () => {
    expect(await deleteUser(admin, { userId: randomUUID() })).toMatchObject({ ok: false, error: { code: "not_found" } });
    const target = await createUser("delete-denied");
    expect(await deleteUser(support, { userId: target.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await deleteUser(admin, { userId: admin.userId })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await auditRows(target.id)).toEqual([]);
  });
});
