import { AppError } from "../errors";

/**
 * The audit log's filters as they live in the URL of /admin/audit, of GET /api/admin/audit (plus `cursor` and
 * `limit`) and of GET /api/admin/audit/export.csv (the filters alone). Pure: the page, the routes and the
 * client component share it.
 *
 *   actor, target   a user id (the whole uuid) or an email address
 *   action          an action name (user.ban, role.assign, …)
 *   from, to        UTC, as 2026-12-05 or 2026-12-05T14:30 (a datetime-local input's value, seconds allowed);
 *                   `from` is inclusive; `to` is exclusive, and a date alone means the end of that day
 */

export type AuditFilters = { actor?: string; target?: string; action?: string; from?: string; to?: string };

export const AUDIT_FILTER_PARAMS = ["actor", "target", "action", "from", "to"] as const;
type FilterParam = (typeof AUDIT_FILTER_PARAMS)[number];

export const AUDIT_PAGE_SIZE = 25;
export const AUDIT_PAGE_MAX = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const invalid = (message: string) => new AppError({ code: "invalid_input", message });

/** The instant a `from`/`to` value names (UTC), or null when it is not a real date and time. */
export function parseAuditTime(value: string, end: "from" | "to"): Date | null {
  const m = TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  if (year! < 1970 || month! < 1 || month! > 12 || day! < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const time = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const date = new Date(time);
  // February 30 would come back as March 2.
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day) return null;
  // A date alone as the upper bound: the whole day is included.
  if (end === "to" && m[4] === undefined) return new Date(time + 86_400_000);
  return date;
}

/** A `from`/`to` value as a datetime-local input takes it (2026-12-05T14:30), naming the same instant. */
export function auditInputTime(value: string, end: "from" | "to"): string {
  const time = parseAuditTime(value, end);
  if (!time) return value;
  const iso = time.toISOString();
  return iso.slice(17, 19) === "00" ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** Why this value is not valid for this filter, or null. */
function checkFilter(key: FilterParam, value: string): string | null {
  if (CONTROL.test(value)) return `${key}: control characters are not allowed`;
  switch (key) {
    case "actor":
    case "target":
      return value.length <= 320 && (UUID.test(value) || EMAIL.test(value)) ? null : `${key}: a user id or an email address`;
    case "action":
      return value.length <= 64 && ACTION.test(value) ? null : `${key}: an action name such as user.ban`;
    case "from":
    case "to":
      return parseAuditTime(value, key) ? null : `${key}: a date (2026-12-05) or a date and time (2026-12-05T14:30), in UTC`;
  }
}

/**
 * Reads the filters; `extra` names and reads the route's own parameters (`cursor`, `limit`). Every unknown,
 * repeated or invalid parameter goes to `onError`.
 */
function readFilters(
  params: URLSearchParams,
  onError: (key: string, message: string) => void,
  extra: { keys: readonly string[]; read: (key: string, value: string) => void } = { keys: [], read: () => undefined },
) {
  const filters: AuditFilters = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) {
      onError(key, `${key}: give it once`);
      continue;
    }
    const raw = values[0] as string;
    if ((AUDIT_FILTER_PARAMS as readonly string[]).includes(key)) {
      const value = raw.trim();
      if (value === "") continue;
      const error = checkFilter(key as FilterParam, value);
      if (error) onError(key, error);
      else filters[key as FilterParam] = value;
    } else if (extra.keys.includes(key)) {
      extra.read(key, raw);
    } else {
      onError(key, `Unknown query parameter: only ${[...AUDIT_FILTER_PARAMS, ...extra.keys].join(", ")} are accepted`);
    }
  }
  return filters;
}

/** The page's reading of its URL: forgiving; an unknown, repeated or invalid parameter is left out and reported. */
export function readAuditPageFilters(params: URLSearchParams): { filters: AuditFilters; dropped: string[] } {
  const dropped: string[] = [];
  const filters = readFilters(params, (key) => dropped.push(key));
  return { filters, dropped };
}

/** The filters of GET /api/admin/audit/export.csv, strictly (400 for anything unknown, repeated or invalid). */
export function readAuditExportQuery(params: URLSearchParams): AuditFilters {
  return readFilters(params, (_key, message) => {
    throw invalid(message);
  });
}

export type AuditApiQuery = { filters: AuditFilters; cursor?: AuditCursor; limit: number };

/** The query of GET /api/admin/audit, strictly: the filters, `cursor` and `limit`, each at most once. */
export function readAuditApiQuery(params: URLSearchParams): AuditApiQuery {
  const query: AuditApiQuery = { filters: {}, limit: AUDIT_PAGE_SIZE };
  query.filters = readFilters(
    params,
    (_key, message) => {
      throw invalid(message);
    },
    {
      keys: ["cursor", "limit"],
      read: (key, value) => {
        if (key === "cursor") {
          const cursor = decodeAuditCursor(value);
          if (!cursor) throw invalid("cursor: not a cursor of this list");
          query.cursor = cursor;
        } else {
          const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
          if (!(n >= 1 && n <= AUDIT_PAGE_MAX)) throw invalid(`limit: a whole number from 1 to ${AUDIT_PAGE_MAX}`);
          query.limit = n;
        }
      },
    },
  );
  return query;
}

/** The URL parameters of a set of filters, empty ones left out, always in the same order. */
export function auditFiltersToParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_PARAMS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  return params;
}

export function auditHref(filters: AuditFilters): string {
  const query = auditFiltersToParams(filters).toString();
  return query ? `/admin/audit?${query}` : "/admin/audit";
}

export function auditExportHref(filters: AuditFilters): string {
  const query = auditFiltersToParams(filters).toString();
  return query ? `/api/admin/audit/export.csv?${query}` : "/api/admin/audit/export.csv";
}

/** The time range as Postgres takes it (ISO instants, UTC), or null for an open end. */
export function auditRange(filters: AuditFilters): { from: string | null; to: string | null } {
  const at = (value: string | undefined, end: "from" | "to") => (value ? (parseAuditTime(value, end)?.toISOString() ?? null) : null);
  return { from: at(filters.from, "from"), to: at(filters.to, "to") };
}

/**
 * The keyset cursor: the last row's time as Postgres wrote it (UTC to the microsecond; a JavaScript Date keeps
 * milliseconds only, and a rounded cursor would skip or repeat rows that share it) and its id.
 */
export type AuditCursor = { at: string; id: string };

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeAuditCursor(cursor: AuditCursor): string {
  return `${cursor.at}_${cursor.id}`;
}

/** The cursor, or null when the string is not one that encodeAuditCursor() wrote. */
export function decodeAuditCursor(value: string): AuditCursor | null {
  const [at, id, ...rest] = value.split("_");
  if (rest.length > 0 || !at || !id || !CURSOR_AT.test(at) || !UUID.test(id) || id !== id.toLowerCase()) return null;
  const time = Date.parse(at);
  if (Number.isNaN(time) || time < 0 || new Date(time).toISOString().slice(0, 23) !== at.slice(0, 23)) return null;
  return { at, id };
}
