import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { AppError } from "../errors";
import { loadLocalStackEnv } from "../test-support/local-env";
import { testUsers } from "../test-support/users";
import { getUserDetail } from "./get-user-detail";
import { decodeUserAuditCursor, encodeUserAuditCursor, listUserAudit, readUserAuditQuery, type UserAuditEvent } from "./list-user-audit";

// The staff user page's reads against the running local stack: real users made through the Auth admin API,
// real sessions from password sign-ins, audit rows written as the app writes them, read back through withRls
// as real staff members. Nothing is mocked.
loadLocalStackEnv();

const { db, createUser, contextFor, cleanup } = testUsers("user-detail.test");

let admin: AuthContext;
let support: AuthContext;
let plain: AuthContext;
let target: { id: string; email: string };
let other: { id: string; email: string };

/** Writes an audit row as `actor` would (the insert policy: their own name, a live session). */
async function audit(actor: AuthContext, action: string, targetId: string, n: number) {
  await db.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(actor.claims)}, true)`;
    await tx`insert into public.audit_events (actor_id, action, target_user_id, after) values (${actor.userId}, ${action}, ${targetId}, ${db.json({ n })})`;
  });
}

async function refusal(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("accepted");
}

beforeAll(async () => {
  const a = await createUser("admin", "admin");
  const s = await createUser("support", "support");
  const p = await createUser("plain");
  target = await createUser("target");
  other = await createUser("other");
  [admin, support, plain] = await Promise.all([contextFor(a.email), contextFor(s.email), contextFor(p.email)]);
  // The target signs in twice (two sessions), the other user once.
  await contextFor(target.email, undefined, { userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0" });
  const own = await contextFor(target.email);
  await contextFor(other.email);
  for (let n = 0; n < 7; n++) await audit(admin, "user.ban", target.id, n);
  await audit(own, "profile.update", target.id, 100);
  await audit(admin, "user.ban", other.id, 200);
});

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("getUserDetail", () => {
  it("admin and support read the user: profile, role, sessions", async () => {
    for (const who of [admin, support]) {
      const result = await getUserDetail(who, target.id);
      if (!result.ok) throw new Error(result.error.message);
      expect(result.user).toMatchObject({ id: target.id, email: target.email, role: "user", banned: false, bannedUntil: null });
      expect(result.user.sessions).toHaveLength(2);
      expect(result.user.sessions.map((s) => s.userAgent)).toContain("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0");
      expect(result.user.sessions.every((s) => s.aal === "aal1")).toBe(true);
      expect(result.user.identities.map((i) => i.provider)).toEqual(["email"]);
      expect(result.user.factors).toEqual([]);
      expect(JSON.stringify(result.user)).not.toContain(other.id);
    }
  });

  it("an upper-case id is the same user; unknown is not_found; malformed is invalid_input", async () => {
    const upper = await getUserDetail(admin, target.id.toUpperCase());
    expect(upper.ok && upper.user.id).toBe(target.id);
    expect(await getUserDetail(admin, "00000000-0000-4000-8000-00000000dead")).toMatchObject({ ok: false, error: { code: "not_found" } });
    for (const bad of ["nope", `${target.id}x`, "", null, 42]) {
      expect(await getUserDetail(admin, bad)).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    }
  });

  it("a plain user is refused, by the guard's role and by Postgres", async () => {
    expect(await getUserDetail(plain, target.id)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    // A stale role (the guard believed admin): Postgres still refuses.
    expect(await getUserDetail({ ...plain, role: "admin" }, target.id)).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });
});

describe("listUserAudit", () => {
  it("pages through the user's events, newest first, each once, none of another user's", async () => {
    const seen: UserAuditEvent[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listUserAudit(support, target.id, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.events);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((e) => e.id)).size).toBe(8);
    expect(seen.every((e) => e.target?.id === target.id)).toBe(true);
    expect(seen.map((e) => e.occurredAt)).toEqual([...seen.map((e) => e.occurredAt)].sort().reverse());
    expect(seen[0]).toMatchObject({ action: "profile.update", actor: { id: target.id, email: target.email } });
    expect(seen[1]?.actor?.email).toBe(admin.email);
    const all = await listUserAudit(admin, target.id, { limit: 50 });
    expect(all.events.map((e) => e.id)).toEqual(seen.map((e) => e.id));
    expect(all.nextCursor).toBeNull();
  });

  it("events of one transaction (the same microsecond) page through once each: the cursor keeps its microseconds", async () => {
    await db.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(admin.claims)}, true)`;
      await tx`insert into public.audit_events (actor_id, action, target_user_id) select ${admin.userId}, 'user.ban', ${other.id} from generate_series(1, 5)`;
    });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUserAudit(admin, other.id, { limit: 2, ...(cursor ? { cursor } : {}) });
      ids.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = await db<{ id: string }[]>`
      select id from public.audit_events where target_user_id = ${other.id} or actor_id = ${other.id} order by created_at desc, id desc`;
    expect(expected).toHaveLength(6);
    expect(ids).toEqual(expected.map((r) => r.id));
  });

  it("a page of exactly the rest says there is no more", async () => {
    const page = await listUserAudit(admin, target.id, { limit: 8 });
    expect(page.events).toHaveLength(8);
    expect(page.nextCursor).toBeNull();
  });

  it("refuses a plain user, a malformed id and a foreign cursor", async () => {
    expect(await refusal(() => listUserAudit(plain, target.id))).toMatchObject({ code: "forbidden" });
    expect(await refusal(() => listUserAudit({ ...plain, role: "admin" }, target.id))).toMatchObject({ code: "forbidden" });
    expect(await refusal(() => listUserAudit(admin, "nope"))).toMatchObject({ code: "invalid_input" });
    expect(await refusal(() => listUserAudit(admin, target.id, { cursor: "bm9wZQ" }))).toMatchObject({ code: "invalid_input" });
  });
});

describe("the audit query and cursor", () => {
  const cursor = encodeUserAuditCursor({ at: "2026-12-06T10:11:12.123456Z", id: "5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b" });

  it("round-trips a cursor and refuses anything else", () => {
    expect(decodeUserAuditCursor(cursor)).toEqual({ at: "2026-12-06T10:11:12.123456Z", id: "5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b" });
    const forged = (s: string) => Buffer.from(s).toString("base64url");
    for (const bad of ["", "nope!", forged("2026-02-30T10:11:12.123456Z|5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"),
      forged("0000-01-01T00:00:00.000000Z|5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"), forged("2026-12-06T10:11:12.123Z|5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"),
      forged("2026-12-06T10:11:12.123456Z|not-a-uuid"), forged("2026-12-06T10:11:12.123456Z|5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b|x")]) {
      expect(decodeUserAuditCursor(bad)).toBeNull();
    }
  });

  it("reads cursor and limit strictly", () => {
    expect(readUserAuditQuery(new URLSearchParams(""))).toEqual({});
    expect(readUserAuditQuery(new URLSearchParams(`cursor=${cursor}&limit=50`))).toEqual({ cursor, limit: 50 });
    for (const q of ["limit=0", "limit=51", "limit=1.5", "limit=-1", "limit=", "limit=1&limit=2", "x=1", `cursor=${cursor}&cursor=${cursor}`, "cursor=nope"]) {
      expect(() => readUserAuditQuery(new URLSearchParams(q))).toThrow(AppError);
    }
  });
});
