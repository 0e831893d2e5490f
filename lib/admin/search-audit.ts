import "server-only";
import type { AuthContext } from "../auth/guard";
import { postgresError } from "../db/errors";
import { withRls, type Tx } from "../db/rls";
import { AppError } from "../errors";
import { auditRange, encodeAuditCursor, type AuditCursor, type AuditFilters } from "./audit-query";
import { csvRow } from "./csv";

export type AuditDetails = Record<string, unknown> | null;

/** One row of the audit log as the page and the export show it. */
export type AuditLogRow = {
  id: string;
  /** ISO time, to the millisecond. */
  at: string;
  actorId: string | null;
  /** The actor's email now; null for a deleted user or an actor-less (system) row. */
  actorEmail: string | null;
  action: string;
  targetId: string | null;
  targetEmail: string | null;
  reason: string | null;
  ip: string | null;
  before: AuditDetails;
  after: AuditDetails;
};

export type AuditLogPage = {
  events: AuditLogRow[];
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: string | null;
};

type Row = {
  id: string;
  created_at: Date;
  cursor_at: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_user_id: string | null;
  target_email: string | null;
  reason: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
};

const details = (value: unknown): AuditDetails => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/** Rows and the cursor after the last one; `limit + 1` rows are asked for to know whether there is more. */
async function readRows(tx: Tx, filters: AuditFilters, limit: number, after: AuditCursor | null): Promise<{ rows: AuditLogRow[]; last: AuditCursor | null; more: boolean }> {
  const range = auditRange(filters);
  // The cursor's time goes as text, cast by Postgres: a Date parameter would drop its microseconds.
  const rows = await tx<Row[]>`
    select id, created_at, cursor_at, actor_id, actor_email, action, target_user_id, target_email, reason, ip, before, after
    from private.search_audit_events(
      p_actor => ${filters.actor ?? null}::text,
      p_target => ${filters.target ?? null}::text,
      p_action => ${filters.action ?? null}::text,
      p_from => ${range.from}::timestamptz,
      p_to => ${range.to}::timestamptz,
      p_limit => ${limit + 1}::integer,
      p_after_at => ${after?.at ?? null}::text,
      p_after_id => ${after?.id ?? null}::uuid)`;
  const page = rows.slice(0, limit);
  const lastRow = page.at(-1);
  return {
    rows: page.map((r) => ({
      id: r.id,
      at: r.created_at.toISOString(),
      actorId: r.actor_id,
      actorEmail: r.actor_email,
      action: r.action,
      targetId: r.target_user_id,
      targetEmail: r.target_email,
      reason: r.reason,
      ip: r.ip,
      before: details(r.before),
      after: details(r.after),
    })),
    last: lastRow ? { at: lastRow.cursor_at, id: lastRow.id } : null,
    more: rows.length > limit,
  };
}

/**
 * One page of the audit log, newest first, in the caller's RLS-scoped transaction (`withUser` or `withRls`).
 * Postgres decides: private.search_audit_events() refuses (42501) a caller whose current role lacks
 * audit.read or whose session is not live.
 */
export async function searchAuditInTx(tx: Tx, filters: AuditFilters, page: { limit: number; cursor?: AuditCursor }): Promise<AuditLogPage> {
  const { rows, last, more } = await readRows(tx, filters, page.limit, page.cursor ?? null);
  return { events: rows, nextCursor: more && last ? encodeAuditCursor(last) : null };
}

/** The actions that occur in the log, for the filter's select. */
export async function listAuditActionsInTx(tx: Tx): Promise<string[]> {
  const rows = await tx<{ action: string }[]>`select a as action from private.audit_event_actions() a`;
  return rows.map((r) => r.action);
}

/** Postgres's refusals as the app's errors: 42501 forbidden, invalid input 400; anything else as it is. */
function auditDbError(error: unknown): unknown {
  const pg = postgresError(error);
  if (pg?.code === "42501") return new AppError({ code: "forbidden", message: "You do not have permission to do this" });
  if (pg && (pg.code === "22023" || pg.code === "22007" || pg.code === "22008")) return new AppError({ code: "invalid_input", message: "Invalid filter" });
  return error;
}

/** One page of the audit log as the staff member `auth` (its own transaction); AppErrors for refusals. */
export async function searchAudit(auth: AuthContext, filters: AuditFilters, page: { limit: number; cursor?: AuditCursor }): Promise<AuditLogPage> {
  try {
    return await withRls(auth.claims, (tx) => searchAuditInTx(tx, filters, page));
  } catch (error) {
    throw auditDbError(error);
  }
}

export const AUDIT_CSV_COLUMNS = [
  "time",
  "actor_id",
  "actor_email",
  "action",
  "target_id",
  "target_email",
  "reason",
  "ip",
  "before",
  "after",
  "event_id",
] as const;

function csvLine(row: AuditLogRow): string {
  return csvRow([
    row.at,
    row.actorId,
    row.actorEmail,
    row.action,
    row.targetId,
    row.targetEmail,
    row.reason,
    row.ip,
    row.before === null ? null : JSON.stringify(row.before),
    row.after === null ? null : JSON.stringify(row.after),
    row.id,
  ]);
}

export type AuditExport = { stream: ReadableStream<Uint8Array> };

/**
 * The filtered audit log as CSV, streamed in keyset batches: each batch is read in its own short RLS-scoped
 * transaction when the reader asks for more (a pull stream: a slow download holds no connection and at most a
 * batch in memory, never the whole set), and Postgres checks audit.read again for each. The first batch is
 * read before this returns, so a refusal or invalid input is still an error status, not a cut-off file.
 * Rows written after the export began are newer than its first row and are not included.
 */
export async function startAuditExport(auth: AuthContext, filters: AuditFilters, { batchSize = 500 } = {}): Promise<AuditExport> {
  const encoder = new TextEncoder();
  const read = async (after: AuditCursor | null) => {
    try {
      return await withRls(auth.claims, (tx) => readRows(tx, filters, batchSize, after));
    } catch (error) {
      throw auditDbError(error);
    }
  };
  let batch: Awaited<ReturnType<typeof read>> | null = await read(null);
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!headerSent) {
            headerSent = true;
            controller.enqueue(encoder.encode(csvRow(AUDIT_CSV_COLUMNS)));
          }
          if (batch === null) {
            controller.close();
            return;
          }
          const current = batch;
          if (current.rows.length > 0) controller.enqueue(encoder.encode(current.rows.map(csvLine).join("")));
          batch = current.more && current.last ? await read(current.last) : null;
          if (batch === null) controller.close();
        } catch (error) {
          // After the first bytes the status cannot change: the download fails and is visibly incomplete.
          console.error("admin.audit.export: failed while streaming", { userId: auth.userId }, error);
          controller.error(error);
        }
      },
      cancel() {
        batch = null;
      },
    },
    { highWaterMark: 1 },
  );
  return { stream };
}
