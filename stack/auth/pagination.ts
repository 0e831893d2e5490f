import { validationFailed } from "./errors.ts";
import { goStrconvQuote } from "./go-params.ts";
import type { Ctx } from "./http.ts";

/** A query string as Go's url.ParseQuery reads it: keys in first-seen order, every value kept. */
export type GoQuery = Map<string, string[]>;

function goQueryUnescape(s: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's url.ParseQuery, ignoring its error like `r.URL.Query()`: pairs with `;` or a bad escape are dropped. */
export function parseGoQuery(raw: string): GoQuery {
  const query: GoQuery = new Map();
  for (const pair of raw.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    const key = goQueryUnescape(eq === -1 ? pair : pair.slice(0, eq));
    const value = goQueryUnescape(eq === -1 ? "" : pair.slice(eq + 1));
    if (key === null || value === null) continue;
    const values = query.get(key);
    if (values) values.push(value);
    else query.set(key, [value]);
  }
  return query;
}

/** The raw query of the request (what Go calls `r.URL.RawQuery`). */
export function rawQuery(ctx: Ctx): string {
  const target = ctx.req.url ?? "";
  const q = target.indexOf("?");
  return q === -1 ? "" : target.slice(q + 1);
}

export function goQuery(ctx: Ctx): GoQuery {
  return parseGoQuery(rawQuery(ctx));
}

/** `url.Values.Get`: the first value, or "". */
export function goQueryGet(query: GoQuery, key: string): string {
  return query.get(key)?.[0] ?? "";
}

/** Go's url.QueryEscape: everything but letters, digits and `-_.~` is percent-encoded; space is `+`. */
export function goQueryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.Values.Encode: keys sorted (byte order), values in their order. */
export function encodeGoQuery(query: GoQuery): string {
  const keys = [...query.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: string[] = [];
  for (const key of keys) {
    for (const value of query.get(key) ?? []) parts.push(`${goQueryEscape(key)}=${goQueryEscape(value)}`);
  }
  return parts.join("&");
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** Go's strconv.ParseUint(s, 10, 64), with its error messages. */
export function parseGoUint(s: string): bigint {
  const syntax = () => new Error(`strconv.ParseUint: parsing ${goStrconvQuote(s)}: invalid syntax`);
  if (s === "") throw syntax();
  let n = 0n;
  for (const c of s) {
    if (c < "0" || c > "9") throw syntax();
    n = n * 10n + BigInt(c.charCodeAt(0) - 48);
    if (n > MAX_UINT64) throw new Error(`strconv.ParseUint: parsing ${goStrconvQuote(s)}: value out of range`);
  }
  return n;
}

export type PageParams = { page: bigint; perPage: bigint };

export const DEFAULT_PER_PAGE = 50n;

/** `page` (default 1) and `per_page` (default 50), rejected with Supabase Auth's "Bad Pagination Parameters". */
export function parsePagination(query: GoQuery): PageParams {
  const bad = (message: string) => validationFailed(`Bad Pagination Parameters: ${message}`);
  let page = 1n;
  let perPage = DEFAULT_PER_PAGE;
  try {
    const rawPage = goQueryGet(query, "page");
    if (rawPage !== "") page = parseGoUint(rawPage);
    const rawPerPage = goQueryGet(query, "per_page");
    if (rawPerPage !== "") perPage = parseGoUint(rawPerPage);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (perPage === 0n) throw bad("per_page must be greater than 0");
  return { page, perPage };
}

// Far beyond any table here; keeps LIMIT/OFFSET inside Postgres' bigint.
const SQL_LIMIT_CAP = 1n << 53n;

/**
 * LIMIT/OFFSET for a page, as the ORM behind Supabase Auth computes them (page 0 reads page 1); null when the
 * offset is past anything a table can hold.
 */
export function pageWindow(p: PageParams): { limit: number; offset: number } | null {
  const page = p.page < 1n ? 1n : p.page;
  const offset = (page - 1n) * p.perPage;
  if (offset >= SQL_LIMIT_CAP) return null;
  const limit = p.perPage > SQL_LIMIT_CAP ? SQL_LIMIT_CAP : p.perPage;
  return { limit: Number(limit), offset: Number(offset) };
}

/**
 * `x-total-count` and the `link` header: `<path?query>; rel="next"` while pages remain after `page`, then
 * `rel="last"`. The query is the request's own (unknown parameters kept) with `page` replaced, re-encoded in
 * Go's sorted form; with no results the last page is 0.
 */
export function paginationHeaders(path: string, query: GoQuery, p: PageParams, count: bigint): Record<string, string> {
  const totalPages = count / p.perPage + (count % p.perPage > 0n ? 1n : 0n);
  const withPage = (page: bigint) => {
    const next: GoQuery = new Map(query);
    next.set("page", [page.toString()]);
    return `<${path}?${encodeGoQuery(next)}>`;
  };
  let link = "";
  if (totalPages > p.page) link += `${withPage(p.page + 1n)}; rel="next", `;
  link += `${withPage(totalPages)}; rel="last"`;
  return { link, "x-total-count": count.toString() };
}
