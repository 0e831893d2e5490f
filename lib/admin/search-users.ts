import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { ROLES, type AppRole } from "../auth/permissions";
import { withRls, type Tx } from "../db/rls";
import { AppError, type ActionResult } from "../errors";
import { assertCan } from "./check-permission";
import { runAdminOperation } from "./run-operation";
import {
  decodeUserSearchCursor,
  encodeUserSearchCursor,
  USER_SORTS,
  type SortDirection,
  type UserSearchCursor,
  type UserSort,
} from "./user-search-cursor";

export const MAX_PAGE_SIZE = 100;

/**
 * What the users table of the admin dashboard asks for. Every field is optional, and the values a URL carries
 * (strings) are accepted where a form would send them: `mfa=true`, `pageSize=50`.
 * - q: a substring of the email or the name (three characters or more; one or two match a prefix), or a user
 *   id prefix (four hex digits or more).
 * - status: `banned` (banned now) or `active` (not banned now).
 * - cursor: `nextCursor` of the previous page, for the same sort and direction.
 */
export const searchUsersInput = z.object({
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((q) => (q ? q : undefined)),
  sort: z.enum(USER_SORTS).default("created"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  role: z.enum(ROLES).optional(),
  status: z.enum(["banned", "active"]).optional(),
  provider: z
    .string()
    .regex(/^[a-z0-9_]{1,32}$/)
    .optional(),
  mfa: z.union([z.boolean(), z.stringbool()]).optional(),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
  cursor: z.string().max(600).optional(),
});
export type SearchUsersInput = z.input<typeof searchUsersInput>;
type SearchUsersQuery = z.output<typeof searchUsersInput>;

export type AdminUserSearchRow = {
  id: string;
  email: string | null;
  displayName: string | null;
  /** Distinct providers of the user's identities, sorted ("apple", "google"). */
  providers: string[];
  role: AppRole;
  bannedUntil: string | null;
  /** Banned at the time of the query. */
  banned: boolean;
  /** At least one verified MFA factor. */
  hasMfa: boolean;
  createdAt: string;
  lastSignInAt: string | null;
};

export type UserSearchPage = {
  users: AdminUserSearchRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** How many users match: exact up to 1,000, Postgres's estimate beyond (`exact: false`). */
  total: { count: number; exact: boolean };
};

export type SearchUsersResult = ActionResult<UserSearchPage>;

/** The cursor for this sort and direction; invalid input otherwise. */
function cursorFor(value: string, sort: UserSort, dir: SortDirection): UserSearchCursor {
  const cursor = decodeUserSearchCursor(value);
  if (!cursor) throw new AppError({ code: "invalid_input", message: "cursor: not a cursor of this list" });
  if (cursor.sort !== sort || cursor.dir !== dir) {
    throw new AppError({ code: "invalid_input", message: "cursor: it belongs to another sort order; start from the first page" });
  }
  return cursor;
}

type SearchRow = {
  id: string;
  email: string | null;
  display_name: string | null;
  providers: string[];
  role: AppRole;
  banned_until: Date | null;
  has_mfa: boolean;
  created_at: Date;
  last_sign_in_at: Date | null;
  cursor_key: string;
  /** The number of matches, on every row: exact up to 1,000, an estimate beyond. */
  total: string;
  total_exact: boolean;
};

/**
 * One page of the admin user search in the caller's RLS-scoped transaction (`withRls`, or `withUser` with the
 * `users.read` permission). Postgres decides: private.search_users_page() refuses (42501) a caller whose current
 * role lacks users.read or whose session is not live. Reads private.user_directory only, never auth.users.
 * Throws a ZodError or an AppError (`invalid_input`) for invalid input.
 */
export async function searchUsersInTx(tx: Tx, input: SearchUsersInput): Promise<UserSearchPage> {
  return runSearch(tx, searchUsersInput.parse(input));
}

async function runSearch(tx: Tx, input: SearchUsersQuery): Promise<UserSearchPage> {
  const cursor = input.cursor === undefined ? null : cursorFor(input.cursor, input.sort, input.dir);
  const banned = input.status === undefined ? null : input.status === "banned";
  const filters = {
    q: input.q ?? null,
    role: input.role ?? null,
    provider: input.provider ?? null,
    mfa: input.mfa ?? null,
  };
  // One call for the page and the total: private.search_users_page() counts only when the page is full or
  // follows a cursor (counting a common term is the slow part of a search; beyond 1,000 it is estimated).
  const rows = await tx<SearchRow[]>`
    select id, email, display_name, providers, role::text as role, banned_until, has_mfa, created_at, last_sign_in_at, cursor_key,
           total::text as total, total_exact
    from private.search_users_page(
      p_query => ${filters.q}::text,
      p_sort => ${input.sort}::text,
      p_descending => ${input.dir === "desc"}::boolean,
      p_role => ${filters.role}::public.app_role,
      p_banned => ${banned}::boolean,
      p_provider => ${filters.provider}::text,
      p_has_mfa => ${filters.mfa}::boolean,
      p_limit => ${input.pageSize + 1}::integer,
      p_after_key => ${cursor?.key ?? null}::text,
      p_after_id => ${cursor?.id ?? null}::uuid)`;
  let total: UserSearchPage["total"];
  const first = rows[0];
  if (first) {
    total = { count: Number(first.total), exact: first.total_exact };
  } else if (cursor === null) {
    total = { count: 0, exact: true };
  } else {
    // No row carries the total: the cursor is past the last match.
    const [count] = await tx<{ total: string; exact: boolean }[]>`
      select total::text as total, exact
      from private.search_users_count(
        p_query => ${filters.q}::text,
        p_role => ${filters.role}::public.app_role,
        p_banned => ${banned}::boolean,
        p_provider => ${filters.provider}::text,
        p_has_mfa => ${filters.mfa}::boolean)`;
    total = { count: Number(count?.total ?? 0), exact: count?.exact ?? true };
  }
  const page = rows.slice(0, input.pageSize);
  const last = page.at(-1);
  const now = Date.now();
  return {
    users: page.map((r) => ({
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      providers: r.providers,
      role: r.role,
      bannedUntil: r.banned_until?.toISOString() ?? null,
      banned: r.banned_until !== null && r.banned_until.getTime() > now,
      hasMfa: r.has_mfa,
      createdAt: r.created_at.toISOString(),
      lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    })),
    nextCursor: rows.length > input.pageSize && last ? encodeUserSearchCursor({ sort: input.sort, dir: input.dir, key: last.cursor_key, id: last.id }) : null,
    total,
  };
}

/**
 * The admin user search as the staff member `auth`: requires users.read (the guard's role up front, then
 * Postgres on the current role and session). Invalid input, including a cursor of another sort order, is
 * `invalid_input`; a refusal by Postgres is `forbidden`.
 */
export async function searchUsers(auth: AuthContext, input: unknown): Promise<SearchUsersResult> {
  return runAdminOperation(async () => {
    const query = searchUsersInput.parse(input ?? {});
    assertCan(auth, "users.read");
    const page = await withRls(auth.claims, (tx) => runSearch(tx, query));
    return { ok: true as const, ...page };
  });
}
