import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { loadLocalStackEnv } from "../test-support/local-env";
import { anonClient, testUsers } from "../test-support/users";
import { endOtherSessions } from "./end-other-sessions";
import { endSession } from "./end-session";
import { listSessions } from "./list-sessions";

// Devices and sessions against the running local stack (`npm run stack -- start`): real users signed in
// through the real Auth server with the browsers' user agents, Postgres with the project's migrations and
// RLS. Nothing is mocked.
loadLocalStackEnv();

const UA = {
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  linux: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
};
const META = { ip: "203.0.113.9", userAgent: UA.linux, requestId: `req-${randomUUID()}` };

const { db, createUser, contextFor, contextFromToken, signIn, cleanup } = testUsers("account-sessions.test");

/** A sign-in from a device: its context (as the guard hands it) and its refresh token. */
async function signInFrom(email: string, userAgent: string): Promise<{ auth: AuthContext; refreshToken: string }> {
  const { data, error } = await signIn(email, { userAgent });
  if (error || !data.session) throw error ?? new Error("no session");
  return { auth: await contextFromToken(data.session.access_token, email), refreshToken: data.session.refresh_token };
}

async function sessionIds(userId: string): Promise<string[]> {
  const rows = await db<{ id: string }[]>`select id from auth.sessions where user_id = ${userId} order by id`;
  return rows.map((r) => r.id);
}

async function auditRows(userId: string) {
  return db<{ actor_id: string; action: string; ip: string | null; user_agent: string | null; request_id: string | null; after: unknown }[]>`
    select actor_id, action, host(ip) as ip, user_agent, request_id, after
    from public.audit_events where target_user_id = ${userId} order by created_at, action`;
}

/** Whether RLS still lets this token through, as every policy asks. */
async function rlsActive(auth: AuthContext): Promise<boolean> {
  const [row] = await withRls(auth.claims, (tx) => tx<{ active: boolean }[]>`select private.session_is_active() as active`);
  return row?.active === true;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("listSessions", () => {
  let alice: { id: string; email: string };
  let current: AuthContext;
  let mac: { auth: AuthContext; refreshToken: string };
  let iphone: { auth: AuthContext; refreshToken: string };
  let bob: AuthContext;

  beforeAll(async () => {
    alice = await createUser("alice");
    mac = await signInFrom(alice.email, UA.mac);
    iphone = await signInFrom(alice.email, UA.iphone);
    current = await contextFor(alice.email, undefined, { userAgent: UA.linux });
    bob = await contextFor((await createUser("bob")).email);
  });

  it("lists every active session of the user with its device, the current one marked", async () => {
    const sessions = await listSessions(current);
    expect(sessions.map((s) => s.id).sort()).toEqual([current.sessionId, mac.auth.sessionId, iphone.auth.sessionId].sort());
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([current.sessionId]);
    const byId = new Map(sessions.map((s) => [s.id, s]));
    expect(byId.get(mac.auth.sessionId)).toMatchObject({
      userAgent: UA.mac,
      device: { browser: "Chrome", browserVersion: "140", os: "macOS", type: "desktop" },
      ip: "127.0.0.1",
      aal: "aal1",
      current: false,
    });
    expect(byId.get(iphone.auth.sessionId)?.device).toEqual({ browser: "Safari", browserVersion: "17", os: "iOS", type: "mobile" });
    expect(byId.get(current.sessionId)?.device).toMatchObject({ browser: "Firefox", os: "Linux" });
    for (const s of sessions) {
      expect(Date.parse(s.lastActiveAt ?? "")).toBeGreaterThanOrEqual(Date.parse(s.createdAt ?? ""));
    }
  });

  it("lists none of another user's sessions, and the other user sees none of these", async () => {
    const aliceIds = (await listSessions(current)).map((s) => s.id);
    expect(aliceIds).not.toContain(bob.sessionId);
    expect((await listSessions(bob)).map((s) => s.id)).toEqual([bob.sessionId]);
  });

  it("takes the last active time from the session's latest refresh", async () => {
    const before = (await listSessions(current)).find((s) => s.id === iphone.auth.sessionId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refreshed = await anonClient({ userAgent: UA.iphone }).auth.refreshSession({ refresh_token: iphone.refreshToken });
    expect(refreshed.error).toBeNull();
    iphone.refreshToken = refreshed.data.session?.refresh_token ?? "";
    const after = (await listSessions(current)).find((s) => s.id === iphone.auth.sessionId);
    expect(Date.parse(after?.lastActiveAt ?? "")).toBeGreaterThan(Date.parse(before?.lastActiveAt ?? ""));
    expect(after?.createdAt).toBe(before?.createdAt);
  });

  it("lists nothing for a token whose own session is dead, and drops dead sessions from the list", async () => {
    // Reuse detection: every refresh token of the mac session revoked, the row kept.
    await db`update auth.refresh_tokens set revoked = true where session_id = ${mac.auth.sessionId}`;
    expect(await listSessions(mac.auth)).toEqual([]);
    expect((await listSessions(current)).map((s) => s.id)).not.toContain(mac.auth.sessionId);
    await db`update auth.refresh_tokens set revoked = false where session_id = ${mac.auth.sessionId}`;
  });
});

describe("endSession", () => {
  it("ends one of the user's other sessions: the row goes, the device's tokens die, one audit row", async () => {
    const user = await createUser("end-one");
    const phone = await signInFrom(user.email, UA.iphone);
    const current = await contextFor(user.email, undefined, { userAgent: UA.linux });
    expect(await rlsActive(phone.auth)).toBe(true);

    expect(await endSession(current, { sessionId: phone.auth.sessionId }, META)).toEqual({ sessionId: phone.auth.sessionId, ended: true });

    expect(await sessionIds(user.id)).toEqual([current.sessionId]);
    expect(await rlsActive(phone.auth)).toBe(false);
    const refreshed = await anonClient().auth.refreshSession({ refresh_token: phone.refreshToken });
    expect(refreshed.error).not.toBeNull();
    expect(await rlsActive(current)).toBe(true);
    expect(await auditRows(user.id)).toEqual([
      {
        actor_id: user.id,
        action: "session.end",
        ip: META.ip,
        user_agent: META.userAgent,
        request_id: META.requestId,
        after: { session_id: phone.auth.sessionId },
      },
    ]);

    expect(await endSession(current, { sessionId: phone.auth.sessionId }, META)).toEqual({ sessionId: phone.auth.sessionId, ended: false });
    expect(await auditRows(user.id)).toHaveLength(1);
  });

  it("does nothing to another user's session and answers as for an unknown id", async () => {
    const attacker = await contextFor((await createUser("attacker")).email);
    const victim = await createUser("victim");
    const victimSession = await signInFrom(victim.email, UA.mac);

    const other = await endSession(attacker, { sessionId: victimSession.auth.sessionId });
    const unknown = await endSession(attacker, { sessionId: randomUUID() });
    expect(other).toEqual({ sessionId: victimSession.auth.sessionId, ended: false });
    expect(unknown).toMatchObject({ ended: false });

    expect(await sessionIds(victim.id)).toEqual([victimSession.auth.sessionId]);
    expect(await rlsActive(victimSession.auth)).toBe(true);
    expect(await auditRows(victim.id)).toEqual([]);
    expect(await auditRows(attacker.userId)).toEqual([]);
  });

  it("refuses the current session, a malformed id, and a caller whose own session was ended", async () => {
    const user = await createUser("end-refused");
    const phone = await signInFrom(user.email, UA.iphone);
    const current = await contextFor(user.email);

    const own = await rejection(endSession(current, { sessionId: current.sessionId }));
    expect(own).toBeInstanceOf(AppError);
    expect(own).toMatchObject({ code: "invalid_input" });
    expect(await rejection(endSession(current, { sessionId: "not-a-uuid" }))).toMatchObject({ code: "invalid_input" });
    expect(await rejection(endSession(current, {}))).toMatchObject({ code: "invalid_input" });

    await db`delete from auth.sessions where id = ${current.sessionId}`;
    expect(await rejection(endSession(current, { sessionId: phone.auth.sessionId }))).toMatchObject({ code: "unauthenticated" });
    expect(await sessionIds(user.id)).toEqual([phone.auth.sessionId]);
  });
});

describe("endOtherSessions", () => {
  it("ends every session of the user but the current one, and nobody else's", async () => {
    const user = await createUser("end-others");
    const mac = await signInFrom(user.email, UA.mac);
    const phone = await signInFrom(user.email, UA.iphone);
    const current = await contextFor(user.email, undefined, { userAgent: UA.linux });
    const bystander = await createUser("bystander");
    const bystanderSession = await signInFrom(bystander.email, UA.mac);

    expect(await endOtherSessions(current, {}, META)).toEqual({ sessionsEnded: 2 });

    expect(await sessionIds(user.id)).toEqual([current.sessionId]);
    expect((await listSessions(current)).map((s) => s.id)).toEqual([current.sessionId]);
    expect(await rlsActive(mac.auth)).toBe(false);
    expect(await rlsActive(phone.auth)).toBe(false);
    expect(await rlsActive(current)).toBe(true);
    expect(await sessionIds(bystander.id)).toEqual([bystanderSession.auth.sessionId]);
    expect(await rlsActive(bystanderSession.auth)).toBe(true);
    expect(await auditRows(user.id)).toEqual([
      {
        actor_id: user.id,
        action: "sessions.end_others",
        ip: META.ip,
        user_agent: META.userAgent,
        request_id: META.requestId,
        after: { sessions_ended: 2, kept_session_id: current.sessionId },
      },
    ]);

    expect(await endOtherSessions(current)).toEqual({ sessionsEnded: 0 });
    expect(await auditRows(user.id)).toHaveLength(1);
  });

  it("refuses a caller whose own session was ended, leaving the others alone", async () => {
    const user = await createUser("end-others-dead");
    const phone = await signInFrom(user.email, UA.iphone);
    const current = await contextFor(user.email);
    await db`delete from auth.sessions where id = ${current.sessionId}`;
    expect(await rejection(endOtherSessions(current))).toMatchObject({ code: "unauthenticated" });
    expect(await sessionIds(user.id)).toEqual([phone.auth.sessionId]);
    expect(await rejection(endOtherSessions(current, { everyone: true }))).toMatchObject({ code: "invalid_input" });
  });
});
