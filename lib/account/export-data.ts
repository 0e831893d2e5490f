import "server-only";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { postgresError } from "../db/errors";
import { withRls, type Tx } from "../db/rls";
import { AppError } from "../errors";
import { accountDbError, parseInput } from "./account-errors";
import { EXPORT_SCHEMA_VERSION, EXPORTS_PER_HOUR, exportDataInput } from "./export-input";
import { readAccountProfile } from "./get-account-profile";
import { readSecurityEvents } from "./list-security-events";
import { readSessions } from "./list-sessions";

/** The SQLSTATE of private.begin_data_export()'s refusal; its DETAIL is the seconds to wait. */
export const EXPORT_RATE_LIMIT_SQLSTATE = "RL001";

export type StartedExport = { exportId: string; startedAt: string };

/**
 * Starts an export of the caller's data: Postgres checks the session and step-up, applies the limit (at most
 * 3 exports per hour, across every app instance) and writes the export's row and its audit row
 * (private.begin_data_export). The 4th export of the hour is a `rate_limited` AppError with `retryAfter`.
 */
export async function startDataExport(auth: AuthContext, raw: unknown = {}, meta: AuditMetaInput = {}): Promise<StartedExport> {
  parseInput(exportDataInput, raw);
  const m = auditMeta(meta);
  try {
    const [row] = await withRls(auth.claims, (tx) => tx<{ export_id: string; started_at: Date }[]>`
      select export_id, started_at from private.begin_data_export(${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    if (!row) throw new Error("begin_data_export returned no row");
    return { exportId: row.export_id, startedAt: row.started_at.toISOString() };
  } catch (error) {
    const pg = postgresError(error);
    if (pg?.code === EXPORT_RATE_LIMIT_SQLSTATE) {
      const seconds = Number((error as { detail?: unknown }).detail);
      const retryAfter = Number.isSafeInteger(seconds) && seconds > 0 ? seconds : 3600;
      const minutes = Math.ceil(retryAfter / 60);
      throw new AppError({
        code: "rate_limited",
        message: `You can export your data ${EXPORTS_PER_HOUR} times an hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
        details: { retryAfter },
      });
    }
    throw accountDbError(error);
  }
}

/** How many exports the caller started in the last hour (RLS: their own rows only). */
export async function readRecentExportCount(tx: Tx): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select count(*)::int as n from public.data_exports where created_at > now() - interval '1 hour'`;
  return row?.n ?? 0;
}

const iso = (value: Date | null | undefined) => value?.toISOString() ?? null;

/** Writes `value` as JSON; the writer waits while the reader is behind. */
export type ExportWriter = (chunk: string) => Promise<void>;

/** Writes `"key":[`, each item from `items` separated by commas, then `]`. */
async function writeArray<T>(write: ExportWriter, key: string, items: AsyncIterable<T[]> | Iterable<T[]>, map: (item: T) => unknown): Promise<void> {
  await write(`${JSON.stringify(key)}:[`);
  let first = true;
  for await (const batch of items) {
    if (batch.length === 0) continue;
    const text = batch.map((item) => JSON.stringify(map(item))).join(",");
    await write(first ? text : `,${text}`);
    first = false;
  }
  await write("]");
}

/**
 * Writes the export document (docs/export-schema.md) piece by piece, as it reads it: one RLS-scoped
 * transaction as the caller, the small sections read whole, the long ones (security events, exports) a page
 * or a cursor batch at a time, each written before the next is read. Nothing holds the whole document.
 * Every query goes through RLS and the caller's own functions: the document can hold only the caller's rows.
 * `complete: true` is the last field, so a reader can tell a cut-off download from a whole one.
 */
export async function writeDataExport(auth: AuthContext, started: StartedExport, write: ExportWriter, { pageSize = 50 } = {}): Promise<void> {
  await withRls(auth.claims, async (tx) => {
    const [account, profileRows, roleRows, sessions] = await Promise.all([
      readAccountProfile(tx, auth),
      tx<{ display_name: string | null; avatar_url: string | null; avatar_chosen: boolean; created_at: Date; updated_at: Date }[]>`
        select display_name, avatar_url, avatar_chosen, created_at, updated_at from public.profiles where id = ${auth.userId}`,
      tx<{ role: string }[]>`select role::text from public.user_roles where user_id = ${auth.userId}`,
      readSessions(tx),
    ]);
    const profile = profileRows[0];
    await write(
      `{"schema_version":${EXPORT_SCHEMA_VERSION},` +
        `"export":${JSON.stringify({ id: started.exportId, started_at: started.startedAt })},` +
        `"account":${JSON.stringify({ id: auth.userId, email: auth.email, email_provider: account.emailProvider })},` +
        `"profile":${JSON.stringify(
          profile
            ? {
                display_name: profile.display_name,
                avatar_url: profile.avatar_url,
                avatar_chosen: profile.avatar_chosen,
                created_at: iso(profile.created_at),
                updated_at: iso(profile.updated_at),
              }
            : null,
        )},`,
    );
    await writeArray(write, "identities", [account.identities], (i) => ({
      id: i.id,
      provider: i.provider,
      email: i.email,
      picture: i.picture,
      created_at: i.createdAt,
      last_sign_in_at: i.lastSignInAt,
    }));
    await write(",");
    await writeArray(write, "roles", [roleRows], (r) => r.role);
    await write(",");
    await writeArray(write, "sessions", [sessions], (s) => ({
      id: s.id,
      created_at: s.createdAt,
      last_active_at: s.lastActiveAt,
      user_agent: s.userAgent,
      browser: s.device.browser,
      os: s.device.os,
      ip: s.ip,
      aal: s.aal,
      current: s.current,
    }));
    await write(",");
    await writeArray(write, "security_events", securityEventPages(tx, pageSize), (e) => ({
      id: e.id,
      occurred_at: e.occurredAt,
      kind: e.kind,
      source: e.source,
      provider: e.provider,
      ip: e.ip,
      user_agent: e.userAgent,
      session_id: e.sessionId,
      session_count: e.sessionCount,
      by_self: e.bySelf,
    }));
    await write(",");
    const exports = tx<{ id: string; created_at: Date }[]>`
      select id, created_at from public.data_exports order by created_at, id`.cursor(pageSize);
    await writeArray(write, "exports", exports, (x) => ({ id: x.id, created_at: iso(x.created_at) }));
    await write(',"complete":true}');
  });
}

/** The caller's security events, newest first, one keyset page at a time. */
async function* securityEventPages(tx: Tx, pageSize: number) {
  let cursor: string | undefined;
  for (;;) {
    const page = await readSecurityEvents(tx, { cursor, limit: Math.min(pageSize, 50) });
    yield page.events;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** How long the export waits for a reader that has stopped reading before it gives up. */
const STALLED_READER_MS = 60_000;

/** The reader went away (the download was cancelled): the export's transaction ends. */
class ExportCancelled extends Error {}

/**
 * The export as a byte stream for a route handler's response: writeDataExport() runs while the client reads,
 * and waits whenever the stream's queue is full (backpressure), so a slow download holds a few chunks, not
 * the document. If the client goes away, or reads nothing for a minute, the transaction is abandoned (it
 * only read) and its connection returns to the pool. An error after the
 * first bytes cannot change the status any more: the stream fails, and the document lacks `complete`.
 */
export function dataExportStream(auth: AuthContext, started: StartedExport): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let wake: (() => void) | null = null;
  let cancelled = false;
  const resume = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const write: ExportWriter = async (chunk) => {
          if (cancelled) throw new ExportCancelled();
          controller.enqueue(encoder.encode(chunk));
          if ((controller.desiredSize ?? 1) <= 0) {
            // The transaction holds a pooled connection while it waits: a reader that stops reading lets it go.
            let timer: ReturnType<typeof setTimeout> | undefined;
            const stalled = await new Promise<boolean>((resolve) => {
              wake = () => resolve(false);
              timer = setTimeout(() => resolve(true), STALLED_READER_MS);
            });
            clearTimeout(timer);
            if (stalled) throw new Error(`the reader took no data for ${STALLED_READER_MS / 1000} s`);
          }
          if (cancelled) throw new ExportCancelled();
        };
        writeDataExport(auth, started, write).then(
          () => controller.close(),
          (error: unknown) => {
            if (cancelled) return;
            console.error("account.export: the export failed while streaming", { userId: auth.userId, exportId: started.exportId }, error);
            controller.error(error);
          },
        );
      },
      pull() {
        resume();
      },
      cancel() {
        cancelled = true;
        resume();
      },
    },
    { highWaterMark: 8 },
  );
}
