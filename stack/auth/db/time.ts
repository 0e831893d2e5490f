/** Timestamps as Supabase Auth writes them in JSON (UTC, `Z`). Accepts Dates and Postgres JSON strings. */
export function isoTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value.endsWith("+00:00") ? `${value.slice(0, -6)}Z` : value;
}
