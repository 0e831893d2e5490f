import { AppError } from "../errors";
import { decodeCursor } from "./security-event-cursor";

/** The largest page the activity route serves (the list function's own limit). */
export const ACTIVITY_PAGE_MAX = 50;

const invalid = (message: string) => new AppError({ code: "invalid_input", message });

/**
 * The query of GET /api/account/activity (`cursor`, `limit`), checked strictly: each at most once, no other
 * parameter, a cursor that the list wrote, a limit of 1 to 50 in plain digits. Anything else is the
 * caller's mistake (invalid_input, 400), refused before a transaction is opened. Messages never echo the
 * value sent.
 */
export function readActivityQuery(params: URLSearchParams): { cursor?: string; limit?: number } {
  const keys = [...params.keys()];
  for (const key of keys) {
    if (key !== "cursor" && key !== "limit") throw invalid("Unknown query parameter: only cursor and limit are accepted");
    if (params.getAll(key).length > 1) throw invalid(`${key}: give it once`);
  }
  const query: { cursor?: string; limit?: number } = {};
  const cursor = params.get("cursor");
  if (cursor !== null) {
    if (decodeCursor(cursor) === null) throw invalid("cursor: not a cursor from this list");
    query.cursor = cursor;
  }
  const limit = params.get("limit");
  if (limit !== null) {
    const n = /^[0-9]{1,3}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= ACTIVITY_PAGE_MAX)) throw invalid(`limit: a whole number from 1 to ${ACTIVITY_PAGE_MAX}`);
    query.limit = n;
  }
  return query;
}
