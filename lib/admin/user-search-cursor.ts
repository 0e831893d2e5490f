/**
 * The keyset cursor of the admin user search: the sort and direction it belongs to, and the last row's sort
 * value and id. The value travels as Postgres wrote it (private.search_users' cursor_key): the email, a time in
 * UTC to the microsecond, or -infinity for a user who never signed in. A JavaScript Date keeps milliseconds
 * only, and a cursor rounded to the millisecond would skip or repeat users who share it.
 */
export const USER_SORTS = ["created", "last_sign_in", "email"] as const;
export type UserSort = (typeof USER_SORTS)[number];
export type SortDirection = "asc" | "desc";

export type UserSearchCursor = { sort: UserSort; dir: SortDirection; key: string; id: string };

const TIME_KEY = /^(-infinity|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An opaque string for URLs and JSON (base64url of JSON). */
export function encodeUserSearchCursor(cursor: UserSearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.dir, cursor.key, cursor.id]), "utf8").toString("base64url");
}

/** The cursor, or null when the string is not one that encodeUserSearchCursor() wrote. */
export function decodeUserSearchCursor(value: string): UserSearchCursor | null {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === "string")) return null;
  const [sort, dir, key, id] = parsed as [string, string, string, string];
  if (!(USER_SORTS as readonly string[]).includes(sort) || (dir !== "asc" && dir !== "desc") || !UUID.test(id)) return null;
  if (sort === "email" ? key.length > 320 : !TIME_KEY.test(key)) return null;
  if (sort !== "email" && key !== "-infinity") {
    // A date that does not exist (February 30) would come back as another one.
    const time = Date.parse(key);
    if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 23) !== key.slice(0, 23)) return null;
  }
  return { sort: sort as UserSort, dir, key, id };
}
