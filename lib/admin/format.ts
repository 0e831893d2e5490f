/**
 * How the admin pages print values. Pure, and the same on the server and in the browser: times in UTC (a
 * local time zone would differ between the two and break hydration).
 */

const WHEN = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "5 Dec 2026, 08:03 UTC"; "—" for none. */
export function formatAdminTime(iso: string | null): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : `${WHEN.format(date)} UTC`;
}

/** A before/after value in a few characters: strings as they are, anything else as JSON, cut at `max`. */
export function compactValue(value: unknown, max = 60): string {
  const text = value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type AuditChange = { key: string; before: string | null; after: string | null };

/**
 * What an audit row changed, key by key: every key of `before` and `after` (the reason, shown in its own
 * column, left out), in the order they first appear; null where a side does not have the key.
 */
export function auditChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): AuditChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => k !== "reason");
  return keys.map((key) => ({
    key,
    before: before && key in before ? compactValue(before[key]) : null,
    after: after && key in after ? compactValue(after[key]) : null,
  }));
}

/** Search params as Next.js hands them to a page, as URLSearchParams (a repeated key keeps every value). */
export function toSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else if (value !== undefined) params.append(key, value);
  }
  return params;
}
