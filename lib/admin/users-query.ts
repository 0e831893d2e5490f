import { z } from "zod";
import { ROLES, type AppRole } from "../auth/permissions";
import { AppError } from "../errors";

/**
 * The users table's state as it lives in the URL of /admin/users (search, sort, filters), and the query of
 * GET /api/admin/users (the same, plus `cursor` and `limit`). Pure: the page, the route and the client
 * component share it, so a link built in the browser is read the same way on the server.
 *
 *   q         a substring of the email or the name, or a user id prefix (private.search_users decides)
 *   sort      created | last_sign_in | email                  (default created)
 *   dir       asc | desc                                       (default desc)
 *   role      user | support | admin
 *   status    banned | active
 *   provider  google | apple
 *   mfa       yes | no
 *
 * Defaults are left out of the URL, so that every state has one address.
 */

export const USERS_SORTS = ["created", "last_sign_in", "email"] as const;
export type UsersSort = (typeof USERS_SORTS)[number];
export const USERS_PROVIDERS = ["google", "apple"] as const;
export type UsersProvider = (typeof USERS_PROVIDERS)[number];
export const USERS_STATUSES = ["active", "banned"] as const;

export const USERS_QUERY_MAX = 100;
export const USERS_PAGE_SIZE = 25;
export const USERS_PAGE_MAX = 100;

export type UsersFilters = {
  q?: string;
  sort: UsersSort;
  dir: "asc" | "desc";
  role?: AppRole;
  status?: (typeof USERS_STATUSES)[number];
  provider?: UsersProvider;
  mfa?: boolean;
};

export const DEFAULT_USERS_FILTERS: UsersFilters = { sort: "created", dir: "desc" };

// C0 and C1 control characters, and lone surrogates (which no email or name holds).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const queryText = z
  .string()
  .max(USERS_QUERY_MAX * 2, { error: `at most ${USERS_QUERY_MAX} characters` })
  .refine((q) => !CONTROL.test(q), { error: "control characters are not allowed" })
  .transform((q) => q.trim())
  .refine((q) => q.length <= USERS_QUERY_MAX, { error: `at most ${USERS_QUERY_MAX} characters` });

/** One schema per URL parameter: each is checked alone, so the page can drop just the bad one. */
const PARAM_SCHEMAS = {
  q: queryText,
  sort: z.enum(USERS_SORTS),
  dir: z.enum(["asc", "desc"]),
  role: z.enum(ROLES),
  status: z.enum(USERS_STATUSES),
  provider: z.enum(USERS_PROVIDERS),
  mfa: z.enum(["yes", "no"]),
} as const;
type FilterParam = keyof typeof PARAM_SCHEMAS;
const FILTER_PARAMS = Object.keys(PARAM_SCHEMAS) as FilterParam[];

const CURSOR = /^[A-Za-z0-9_-]{1,600}$/;

const invalid = (message: string) => new AppError({ code: "invalid_input", message });

function applyParam(filters: UsersFilters, key: FilterParam, value: string): string | null {
  const parsed = PARAM_SCHEMAS[key].safeParse(value);
  if (!parsed.success) return `${key}: ${parsed.error.issues[0]?.message ?? "invalid value"}`;
  const v = parsed.data;
  switch (key) {
    case "q":
      if (v !== "") filters.q = v;
      break;
    case "sort":
      filters.sort = v as UsersSort;
      break;
    case "dir":
      filters.dir = v as "asc" | "desc";
      break;
    case "role":
      filters.role = v as AppRole;
      break;
    case "status":
      filters.status = v as UsersFilters["status"];
      break;
    case "provider":
      filters.provider = v as UsersProvider;
      break;
    case "mfa":
      filters.mfa = v === "yes";
      break;
  }
  return null;
}

/**
 * The page's reading of its URL: forgiving, since a person may have edited or truncated a link. A parameter
 * that is unknown, repeated or invalid is left out (the table shows the rest) and reported in `dropped`; an
 * empty one (the search form submitted without JavaScript sends every field) means "any".
 */
export function readUsersPageFilters(params: URLSearchParams): { filters: UsersFilters; dropped: string[] } {
  const filters: UsersFilters = { ...DEFAULT_USERS_FILTERS };
  const dropped: string[] = [];
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (!(FILTER_PARAMS as string[]).includes(key) || values.length !== 1) {
      dropped.push(key);
      continue;
    }
    if (values[0] === "") continue;
    if (applyParam(filters, key as FilterParam, values[0] as string) !== null) dropped.push(key);
  }
  return { filters, dropped };
}

export type UsersApiQuery = { filters: UsersFilters; cursor?: string; limit: number };

/**
 * The query of GET /api/admin/users, strictly: every parameter at most once, no unknown one, each valid;
 * anything else is the caller's mistake (invalid_input, 400) before a transaction is opened. Messages name
 * the parameter and never echo the value.
 */
export function readUsersApiQuery(params: URLSearchParams): UsersApiQuery {
  const filters: UsersFilters = { ...DEFAULT_USERS_FILTERS };
  const query: UsersApiQuery = { filters, limit: USERS_PAGE_SIZE };
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1) throw invalid(`${key}: give it once`);
    const value = params.get(key) as string;
    if (key === "cursor") {
      if (!CURSOR.test(value)) throw invalid("cursor: not a cursor of this list");
      query.cursor = value;
    } else if (key === "limit") {
      const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= USERS_PAGE_MAX)) throw invalid(`limit: a whole number from 1 to ${USERS_PAGE_MAX}`);
      query.limit = n;
    } else if ((FILTER_PARAMS as string[]).includes(key)) {
      const error = applyParam(filters, key as FilterParam, value);
      if (error !== null) throw invalid(error);
    } else {
      throw invalid(`Unknown query parameter: only ${[...FILTER_PARAMS, "cursor", "limit"].join(", ")} are accepted`);
    }
  }
  return query;
}

/** The URL parameters of a state, defaults left out, always in the same order. */
export function usersFiltersToParams(filters: UsersFilters): URLSearchParams {
  const params = new URLSearchParams();
  const q = filters.q?.trim();
  if (q) params.set("q", q);
  if (filters.sort !== DEFAULT_USERS_FILTERS.sort) params.set("sort", filters.sort);
  if (filters.dir !== DEFAULT_USERS_FILTERS.dir) params.set("dir", filters.dir);
  if (filters.role) params.set("role", filters.role);
  if (filters.status) params.set("status", filters.status);
  if (filters.provider) params.set("provider", filters.provider);
  if (filters.mfa !== undefined) params.set("mfa", filters.mfa ? "yes" : "no");
  return params;
}

/** `/admin/users` with the state's parameters. */
export function usersHref(filters: UsersFilters): string {
  const query = usersFiltersToParams(filters).toString();
  return query ? `/admin/users?${query}` : "/admin/users";
}

/** What lib/admin/search-users.ts takes for a state, a page size and a cursor. */
export function toSearchUsersInput(filters: UsersFilters, page: { cursor?: string; limit?: number } = {}) {
  return {
    q: filters.q,
    sort: filters.sort,
    dir: filters.dir,
    role: filters.role,
    status: filters.status,
    provider: filters.provider,
    mfa: filters.mfa,
    pageSize: page.limit ?? USERS_PAGE_SIZE,
    cursor: page.cursor,
  };
}

/**
 * The count as the table says it: exact ("3 users"), or Postgres's estimate rounded to two significant
 * digits ("about 100,000 users").
 */
export function describeUserCount(total: { count: number; exact: boolean }): string {
  const noun = (n: number) => (n === 1 ? "user" : "users");
  if (total.exact) return `${total.count.toLocaleString("en-US")} ${noun(total.count)}`;
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(total.count, 1))) - 1);
  const rounded = Math.round(total.count / 10 ** digits) * 10 ** digits;
  return `about ${rounded.toLocaleString("en-US")} users`;
}
