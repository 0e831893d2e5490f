import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { withRls, type Tx } from "../db/rls";
import { parseInput } from "./account-errors";
import { parseUserAgent, type Device } from "./device";
import { decodeCursor, encodeCursor, type SecurityEventCursor } from "./security-event-cursor";

export const SECURITY_EVENT_KINDS = [
  "signed_in",
  "signed_out",
  "identity_linked",
  "identity_unlinked",
  "factor_added",
  "factor_removed",
  /** The user ended one of their other sessions. */
  "session_ended",
  /** The user ended all their sessions but one. */
  "other_sessions_ended",
  /** Staff signed the user out everywhere. */
  "sessions_revoked",
] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export type SecurityEvent = {
  id: string;
  occurredAt: string;
  kind: SecurityEventKind;
  /** `auth`: the Auth server's log; `app`: the app's audit trail. */
  source: "auth" | "app";
  /** The sign-in or identity provider (google, apple, email…), where the event names one. */
  provider: string | null;
  /** Where the request came from, where the data has it: the request that did it, or for a sign-in its session. */
  ip: string | null;
  userAgent: string | null;
  device: Device | null;
  /** The session the event is about: the one a sign-in started, or the one that was ended. */
  sessionId: string | null;
  /** How many sessions ended, for the session kinds. */
  sessionCount: number | null;
  /** False when staff or the Auth admin API did it. */
  bySelf: boolean;
};

export const listSecurityEventsInput = z.object({
  /** The `nextCursor` of the previous page; none for the newest events. */
  cursor: z
    .string()
    .transform((value, ctx): SecurityEventCursor => {
      const cursor = decodeCursor(value);
      if (cursor) return cursor;
      ctx.addIssue({ code: "custom", message: "not a cursor from this list" });
      return z.NEVER;
    })
    .optional(),
  limit: z.number().int().min(1).max(50).default(20),
});

export type ListSecurityEventsInput = z.input<typeof listSecurityEventsInput>;

export type SecurityEventPage = {
  events: SecurityEvent[];
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: string | null;
};

type EventRow = {
  id: string;
  occurred_at: Date;
  cursor_at: string;
  kind: string;
  source: string;
  provider: string | null;
  ip: string | null;
  user_agent: string | null;
  session_id: string | null;
  session_count: number | null;
  by_self: boolean | null;
};

const KINDS: readonly string[] = SECURITY_EVENT_KINDS;

function toEvent(r: EventRow): SecurityEvent | null {
  if (!KINDS.includes(r.kind) || (r.source !== "auth" && r.source !== "app")) return null;
  return {
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    kind: r.kind as SecurityEventKind,
    source: r.source,
    provider: r.provider,
    ip: r.ip,
    userAgent: r.user_agent,
    device: r.user_agent === null ? null : parseUserAgent(r.user_agent),
    sessionId: r.session_id,
    sessionCount: r.session_count,
    bySelf: r.by_self === true,
  };
}

/**
 * One page of the caller's security activity, newest first, in the caller's RLS-scoped transaction.
 * private.list_my_security_events() decides whose: the token's user only, nothing when the token's session
 * is no longer active. The app adds no filter of its own.
 */
export async function readSecurityEvents(tx: Tx, raw: unknown = {}): Promise<SecurityEventPage> {
  const input = parseInput(listSecurityEventsInput, raw);
  const after = input.cursor ?? null;
  // One row more than the page tells whether there is a next page. The cursor's time is sent as text and
  // cast by Postgres: postgres.js serialises a timestamptz parameter through a JavaScript Date, which would
  // drop its microseconds.
  const rows = await tx<EventRow[]>`
    select id, occurred_at, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
           kind, source, provider, ip, user_agent, session_id, session_count, by_self
    from private.list_my_security_events(${after?.occurredAt ?? null}::text::timestamptz, ${after?.id ?? null}::uuid, ${input.limit + 1})`;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    events: page.map(toEvent).filter((e): e is SecurityEvent => e !== null),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ occurredAt: last.cursor_at, id: last.id }) : null,
  };
}

/** One page of the signed-in user's security activity, through RLS as that user (its own transaction). */
export async function listSecurityEvents(auth: AuthContext, raw: unknown = {}): Promise<SecurityEventPage> {
  return withRls(auth.claims, (tx) => readSecurityEvents(tx, raw));
}
