/**
 * The keyset cursor of the security activity list: the last row's (occurred_at, id). occurred_at travels as
 * Postgres wrote it, to the microsecond: a JavaScript Date keeps milliseconds only, and a cursor rounded to
 * the millisecond would skip or repeat events that share it.
 */
export type SecurityEventCursor = { occurredAt: string; id: string };

/** occurred_at as Postgres formats it for the cursor: UTC, six fractional digits. */
const OCCURRED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An opaque string for URLs and JSON. */
export function encodeCursor(cursor: SecurityEventCursor): string {
  return Buffer.from(`${cursor.occurredAt}|${cursor.id}`, "utf8").toString("base64url");
}

/** The cursor, or null when the string is not one that encodeCursor() wrote. */
export function decodeCursor(value: string): SecurityEventCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const [occurredAt, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !occurredAt || !id || !OCCURRED_AT.test(occurredAt) || !UUID.test(id)) return null;
  // A date that does not exist (February 30) would come back as another one. Year 0000 is a date to
  // JavaScript (1 BC) but out of range to Postgres, which would fail the query.
  const time = Date.parse(occurredAt);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 23) !== occurredAt.slice(0, 23)) return null;
  if (occurredAt.startsWith("0000-")) return null;
  return { occurredAt, id };
}
