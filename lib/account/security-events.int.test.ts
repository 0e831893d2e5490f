import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { loadLocalStackEnv } from "../test-support/local-env";
import { anonClient, testUsers } from "../test-support/users";
import { endSession } from "./end-session";
import { listSecurityEvents, type SecurityEvent } from "./list-security-events";

// Security activity against the running local stack: sign-ins and sign-outs through the real Auth server
// (which writes auth.audit_log_entries), session ends through the app's own functions (public.audit_events),
// read back through RLS as the user. Nothing is mocked.
loadLocalStackEnv();

const UA = {
  linux: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  ipad:
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
};
const META = { ip: "203.0.113.9", userAgent: UA.linux, requestId: `req-${randomUUID()}` };

const { db, createUser, contextFor, contextFromToken, signIn, cleanup } = testUsers("security-events.test");

async function signInFrom(email: string, userAgent: string): Promise<{ auth: AuthContext; accessToken: string }> {
  const { data, error } = await signIn(email, { userAgent });
  if (error || !data.session) throw error ?? new Error("no session");
  return { auth: await contextFromToken(data.session.access_token, email), accessToken: data.session.access_token };
}

/** Every event, following nextCursor page by page. */
async function allPages(auth: AuthContext, limit: number): Promise<SecurityEvent[]> {
  const events: SecurityEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    // The cursor goes through JSON, as it does between the browser and a route handler.
    const input = JSON.parse(JSON.stringify({ cursor, limit })) as unknown;
    const result = await listSecurityEvents(auth, input);
    events.push(...result.events);
    if (result.nextCursor === null) return events;
    expect(result.events).toHaveLength(limit);
    cursor = result.nextCursor;
  }
  throw new Error("more than 100 pages");
}

let alice: { id: string; email: string };
let current: AuthContext;
let phone: { auth: AuthContext; accessToken: string };
let laptop: { auth: AuthContext; accessToken: string };
let tablet: { auth: AuthContext; accessToken: string };
let bob: AuthContext;

beforeAll(async () => {
  alice = await createUser("alice");
  bob = await contextFor((await createUser("bob")).email);
  // Three sign-ins back to back (milliseconds apart), then, past the two seconds within which sign-ins are
  // told apart by their sessions, the current one.
  phone = await signInFrom(alice.email, UA.iphone);
  laptop = await signInFrom(alice.email, UA.mac);
  tablet = await signInFrom(alice.email, UA.ipad);
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  current = await contextFor(alice.email, undefined, { userAgent: UA.linux });
  // The tablet signs out through the Auth server; the phone is ended from the current session.
  const loggedOut = await anonClient().auth.admin.signOut(tablet.accessToken, "local");
  expect(loggedOut.error).toBeNull();
  expect(await endSession(current, { sessionId: phone.auth.sessionId }, META)).toMatchObject({ ended: true });
});

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("listSecurityEvents", () => {
  it("lists the user's sign-ins, sign-out and ended session, newest first, with device and IP where known", async () => {
    const { events, nextCursor } = await listSecurityEvents(current);
    expect(nextCursor).toBeNull();
    expect(events.map((e) => [e.kind, e.source, e.bySelf])).toEqual([
      ["session_ended", "app", true],
      ["signed_out", "auth", true],
      ["signed_in", "auth", true],
      ["signed_in", "auth", true],
      ["signed_in", "auth", true],
      ["signed_in", "auth", true],
    ]);
    const [ended, , currentSignIn, tabletSignIn, laptopSignIn, phoneSignIn] = events;
    expect(ended).toMatchObject({
      ip: META.ip,
      userAgent: META.userAgent,
      device: { browser: "Firefox", os: "Linux" },
      sessionId: phone.auth.sessionId,
      sessionCount: 1,
    });
    expect(currentSignIn).toMatchObject({ provider: "email", sessionId: current.sessionId, ip: "127.0.0.1", userAgent: UA.linux });
    expect(currentSignIn?.device).toMatchObject({ browser: "Firefox", os: "Linux" });
    // The laptop's session still exists, but its sign-in came with two others: none of the three is given
    // a device, rather than one of them the wrong one.
    expect((await db`select 1 from auth.sessions where id = ${laptop.auth.sessionId}`).length).toBe(1);
    for (const signIn of [tabletSignIn, laptopSignIn, phoneSignIn]) {
      expect(signIn).toMatchObject({ provider: "email", sessionId: null, ip: null, userAgent: null, device: null });
    }
    for (const e of events) expect(Number.isNaN(Date.parse(e.occurredAt))).toBe(false);
  });

  it("shows a user none of another user's events", async () => {
    const aliceIds = new Set((await listSecurityEvents(current, { limit: 50 })).events.map((e) => e.id));
    const bobEvents = (await listSecurityEvents(bob, { limit: 50 })).events;
    expect(bobEvents.map((e) => e.kind)).toEqual(["signed_in"]);
    expect(bobEvents.some((e) => aliceIds.has(e.id))).toBe(false);
    expect(bobEvents[0]?.sessionId).toBe(bob.sessionId);
  });

  it("returns nothing to a token whose session has ended", async () => {
    expect(await listSecurityEvents(phone.auth)).toEqual({ events: [], nextCursor: null });
    expect(await listSecurityEvents(tablet.auth)).toEqual({ events: [], nextCursor: null });
  });

  it("pages through every event exactly once, events within one millisecond included", async () => {
    // The Auth server's entries a few microseconds apart, two of them at the very same instant: a cursor
    // rounded to the millisecond would skip or repeat them.
    const [base] = await db<{ at: string }[]>`select to_char(date_trunc('milliseconds', now()) - interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`;
    const offsets = [1, 2, 3, 3, 250, 999];
    for (const us of offsets) {
      await db`
        insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
        values ('00000000-0000-0000-0000-000000000000', ${randomUUID()},
                ${db.json({ action: "logout", actor_id: alice.id, actor_username: alice.email, actor_via_sso: false, log_type: "account" })},
                ${base?.at ?? ""}::timestamptz + make_interval(secs => ${us} / 1000000.0), '')`;
    }
    const whole = (await listSecurityEvents(current, { limit: 50 })).events;
    expect(whole).toHaveLength(6 + offsets.length);
    for (const limit of [1, 2, 3, 4, 7]) {
      const paged = await allPages(current, limit);
      expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    }
    expect(new Set(whole.map((e) => e.id)).size).toBe(whole.length);
  });

  it("refuses a cursor it did not write and a page size out of range", async () => {
    for (const input of [{ cursor: "nope" }, { cursor: Buffer.from(`2026-12-05T10:00:00.123Z|${randomUUID()}`).toString("base64url") }, { limit: 0 }, { limit: 51 }, { limit: "10" }]) {
      await expect(listSecurityEvents(current, input)).rejects.toMatchObject({ code: "invalid_input" });
    }
  });
});
