import "server-only";
import type { AuthContext } from "../auth/guard";
import { postgresError } from "../db/errors";
import { withRls, type Tx } from "../db/rls";
import { AppError } from "../errors";
import { assertCan } from "./check-permission";
import { adminUserId } from "./get-user-detail";

/** The largest page of a user's audit trail (private.list_user_audit's own limit). */
export const USER_AUDIT_PAGE_MAX = 50;
export const USER_AUDIT_PAGE_DEFAULT = 20;

/** Someone an event names: their id, and their email and name while the user exists. */
export type AuditParty = { id: string; email: string | null; name: string | null };

/** One event of a user's audit trail. */
export type UserAuditEvent = {
  id: string;
  /** UTC to the microsecond (2026-12-06T10:00:00.123456Z), as Postgres wrote it. */
  occurredAt: string;
  action: string;
  actor: AuditParty | null;
  target: AuditParty | null;
  ip: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
};

export type UserAuditPage = {
  events: UserAuditEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
};

// ------------------------------------------------------------------------------------------------------
// The cursor: the last event's (created_at, id). created_at travels as Postgres formatted it, to the
// microsecond: a JavaScript Date keeps milliseconds only, and a rounded cursor would skip or repeat events.
// ------------------------------------------------------------------------------------------------------

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type UserAuditCursor = { at: string; id: string };

export function encodeUserAuditCursor(cursor: UserAuditCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, "utf8").toString("base64url");
}

/** The cursor, or null when the string is not one that encodeUserAuditCursor() wrote. */
export function decodeUserAuditCursor(value: string): UserAuditCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const [at, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !at || !id || !AT.test(at) || !UUID.test(id)) return null;
  // A date that does not exist (February 30) would come back as another one; year 0000 is a JavaScript date
  // (1 BC) that Postgres refuses.
  const ms = Date.parse(at);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 23) !== at.slice(0, 23) || at.startsWith("0000-")) return null;
  return { at, id };
}

export type UserAuditQuery = { cursor?: string; limit?: number };

const invalid = (message: string) => new AppError({ code: "invalid_input", message });

/**
 * The query of GET /api/admin/users/[id]/audit (`cursor`, `limit`), checked strictly: each at most once, no
 * other parameter, a cursor this list wrote, a limit of 1 to 50 in plain digits. Anything else is
 * invalid_input (400) before a transaction is opened. Messages never echo the value sent.
 */
export function readUserAuditQuery(params: URLSearchParams): UserAuditQuery {
  for (const key of new Set(params.keys())) {
    if (key !== "cursor" && key !== "limit") throw invalid("Unknown query parameter: only cursor and limit are accepted");
    if (params.getAll(key).length > 1) throw invalid(`${key}: give it once`);
  }
  const query: UserAuditQuery = {};
  const cursor = params.get("cursor");
  if (cursor !== null) {
    if (decodeUserAuditCursor(cursor) === null) throw invalid("cursor: not a cursor from this list");
    query.cursor = cursor;
  }
  const limit = params.get("limit");
  if (limit !== null) {
    const n = /^[0-9]{1,3}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= USER_AUDIT_PAGE_MAX)) throw invalid(`limit: a whole number from 1 to ${USER_AUDIT_PAGE_MAX}`);
    query.limit = n;
  }
  return query;
}

type AuditRow = {
  id: string;
  cursor_at: string;
  action: string;
  actor_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  target_user_id: string | null;
  target_email: string | null;
  target_name: string | null;
  ip: string | null;
  user_agent: string | null;
  before: unknown;
  after: unknown;
};

const party = (id: string | null, email: string | null, name: string | null): AuditParty | null => (id ? { id, email, name } : null);

/**
 * One page of a user's audit trail (events where they are the target or the actor), newest first, in the
 * caller's RLS-scoped transaction. Postgres decides: private.list_user_audit() refuses (42501) a caller
 * without users.read and audit.read on their current role, or without a live session. `userId` must already
 * be a valid id; a cursor that does not decode is invalid_input.
 */
export async function readUserAudit(tx: Tx, userId: string, query: UserAuditQuery = {}): Promise<UserAuditPage> {
  const limit = Math.min(Math.max(query.limit ?? USER_AUDIT_PAGE_DEFAULT, 1), USER_AUDIT_PAGE_MAX);
  const cursor = query.cursor === undefined ? null : decodeUserAuditCursor(query.cursor);
  if (query.cursor !== undefined && cursor === null) throw invalid("cursor: not a cursor from this list");
  // One more than the page to know whether an older page exists; at the largest page, a full page says so.
  const ask = Math.min(limit + 1, USER_AUDIT_PAGE_MAX);
  // The cursor's time goes as text, cast by Postgres: postgres.js serialises a timestamptz parameter through a
  // JavaScript Date, which would drop its microseconds (and skip events that share the millisecond).
  const rows = await tx<AuditRow[]>`
    select id, cursor_at, action, actor_id, actor_email, actor_name, target_user_id, target_email, target_name, ip, user_agent, before, after
    from private.list_user_audit(${userId}::uuid, ${cursor?.at ?? null}::text::timestamptz, ${cursor?.id ?? null}::uuid, ${ask}::integer)`;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit || (ask === limit && rows.length === limit);
  return {
    events: page.map((r) => ({
      id: r.id,
      occurredAt: r.cursor_at,
      action: r.action,
      actor: party(r.actor_id, r.actor_email, r.actor_name),
      target: party(r.target_user_id, r.target_email, r.target_name),
      ip: r.ip,
      userAgent: r.user_agent,
      before: r.before,
      after: r.after,
    })),
    nextCursor: more && last ? encodeUserAuditCursor({ at: last.cursor_at, id: last.id }) : null,
  };
}

/**
 * A page of a user's audit trail as the staff member `auth` (users.read and audit.read: the guard's role up
 * front, then Postgres). Throws AppError: invalid_input for a malformed id or cursor, forbidden when either
 * check refuses.
 */
export async function listUserAudit(auth: AuthContext, userId: unknown, query: UserAuditQuery = {}): Promise<UserAuditPage> {
  const parsed = adminUserId.safeParse(userId);
  if (!parsed.success) throw invalid("Not a user id");
  assertCan(auth, "users.read");
  assertCan(auth, "audit.read");
  try {
    return await withRls(auth.claims, (tx) => readUserAudit(tx, parsed.data, query));
  } catch (error) {
    // The role or session changed since the guard read it: Postgres refused.
    if (postgresError(error)?.code === "42501") throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
    throw error;
  }
}
