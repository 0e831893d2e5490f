"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { AdminUserSearchRow, UserSearchPage } from "@/lib/admin/search-users";
import { formatAdminTime } from "@/lib/admin/format";
import {
  describeUserCount,
  USERS_PAGE_SIZE,
  usersFiltersToParams,
  usersHref,
  type UsersFilters,
  type UsersSort,
} from "@/lib/admin/users-query";
import { Button } from "../ui/button";

/** How long typing pauses before the search runs. */
const SEARCH_DEBOUNCE_MS = 250;

const SORT_OPTIONS: { value: `${UsersSort}:${"asc" | "desc"}`; label: string }[] = [
  { value: "created:desc", label: "Newest first" },
  { value: "created:asc", label: "Oldest first" },
  { value: "last_sign_in:desc", label: "Signed in most recently" },
  { value: "last_sign_in:asc", label: "Signed in least recently" },
  { value: "email:asc", label: "Email A to Z" },
  { value: "email:desc", label: "Email Z to A" },
];

type PageResult = { ok: true } & UserSearchPage;

async function fetchPage(filters: UsersFilters, cursor: string): Promise<PageResult> {
  const params = usersFiltersToParams(filters);
  params.set("cursor", cursor);
  params.set("limit", String(USERS_PAGE_SIZE));
  let res: Response;
  try {
    res = await fetch(`/api/admin/users?${params}`, { headers: { accept: "application/json" } });
  } catch {
    throw new Error("The server could not be reached. Check your connection and try again.");
  }
  const body = (await res.json().catch(() => null)) as (PageResult | { ok: false; error?: { message?: string } }) | null;
  if (!res.ok || !body || body.ok !== true) {
    throw new Error((body && "error" in body && body.error?.message) || `Something went wrong (${res.status}). Please try again.`);
  }
  return body;
}

const selectClass =
  "w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-1";

function Select({ label, name, value, onChange, options }: { label: string; name: string; value: string; onChange: (value: string) => void; options: { value: string; label: string }[] }) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-zinc-700">
        {label}
      </label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} className={selectClass}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function UserRow({ user }: { user: AdminUserSearchRow }) {
  return (
    <tr className="border-t border-zinc-100 align-top" data-testid="admin-user-row" data-user-id={user.id}>
      <th scope="row" className="py-2 pr-4 text-left font-normal">
        <Link
          href={`/admin/users/${user.id}`}
          className="font-medium text-zinc-900 underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-zinc-900"
        >
          {user.displayName ?? user.email ?? user.id}
        </Link>
        <span className="block text-zinc-600" data-testid="admin-user-email">
          {user.email ?? "No email"}
        </span>
        <span className="block font-mono text-xs text-zinc-500">{user.id.slice(0, 8)}</span>
      </th>
      <td className="py-2 pr-4" data-testid="admin-user-role">
        {user.role}
      </td>
      <td className="py-2 pr-4" data-testid="admin-user-status">
        {user.banned ? (
          <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900">Banned</span>
        ) : (
          <span className="text-zinc-700">Active</span>
        )}
      </td>
      <td className="py-2 pr-4" data-testid="admin-user-providers">
        {user.providers.length > 0 ? user.providers.map((p) => (p === "google" ? "Google" : p === "apple" ? "Apple" : p)).join(", ") : "—"}
      </td>
      <td className="py-2 pr-4" data-testid="admin-user-mfa">
        {user.hasMfa ? "Yes" : "No"}
      </td>
      <td className="py-2 pr-4 whitespace-nowrap">
        <time dateTime={user.createdAt} data-testid="admin-user-created">
          {formatAdminTime(user.createdAt)}
        </time>
      </td>
      <td className="py-2 whitespace-nowrap">
        {user.lastSignInAt ? (
          <time dateTime={user.lastSignInAt} data-testid="admin-user-last-sign-in">
            {formatAdminTime(user.lastSignInAt)}
          </time>
        ) : (
          <span data-testid="admin-user-last-sign-in">Never</span>
        )}
      </td>
    </tr>
  );
}

/**
 * The users table: search, sort and filters live in the URL (router.push, so links are shareable and Back
 * restores the previous search); the server renders the first page for the URL; "Load more" fetches the
 * next keyset page from GET /api/admin/users (React Query's infinite query, keyed by the URL's state, so Back
 * finds the pages it had). Typing searches after a short pause; Enter searches at once.
 */
export function UsersTable({ filters, initial }: { filters: UsersFilters; initial: UserSearchPage }) {
  const router = useRouter();
  const [isPending, startTransition] = useTransition();
  const [text, setText] = useState(filters.q ?? "");
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Queries this component pushed and the server has not rendered yet: their arrival must not overwrite
  // what the person typed since. Any other change of `q` (Back, a link) is copied into the box.
  const pushed = useRef(new Set<string>());
  const [status, setStatus] = useState("");
  const focusId = useRef<string | null>(null);
  const searchId = useId();
  const key = usersHref(filters);

  useEffect(() => {
    const q = filters.q ?? "";
    if (pushed.current.delete(q)) return;
    setText(q);
  }, [filters.q]);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const navigate = (next: UsersFilters) => {
    if (timer.current) clearTimeout(timer.current);
    const href = usersHref(next);
    if (href === key) return;
    if ((next.q ?? "") !== (filters.q ?? "")) pushed.current.add(next.q ?? "");
    startTransition(() => router.push(href, { scroll: false }));
  };

  const search = (value: string) => navigate({ ...filters, q: value.trim() || undefined });

  const onType = (value: string) => {
    setText(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => search(value), SEARCH_DEBOUNCE_MS);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    search(text);
  };

  // Keyed by the state and by what the server rendered for it: a render that brings other users starts afresh,
  // an unchanged one (Back) keeps the pages already loaded.
  const query = useInfiniteQuery<PageResult, Error, InfiniteData<PageResult, string | null>, readonly unknown[], string | null>({
    queryKey: ["admin", "users", key, initial.users[0]?.id ?? "none", initial.nextCursor, initial.total.count],
    queryFn: ({ pageParam }) => (pageParam === null ? Promise.resolve({ ok: true as const, ...initial }) : fetchPage(filters, pageParam)),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [{ ok: true as const, ...initial }], pageParams: [null] },
    staleTime: Infinity,
  });
  const users = query.data.pages.flatMap((p) => p.users);
  const total = query.data.pages[0]?.total ?? initial.total;

  useEffect(() => {
    if (focusId.current === null) return;
    const link = document.querySelector<HTMLElement>(`[data-user-id="${focusId.current}"] a`);
    focusId.current = null;
    link?.focus();
  }, [query.data.pages.length]);

  const loadMore = async () => {
    setStatus("Loading more users…");
    const result = await query.fetchNextPage();
    const loaded = result.data?.pages.at(-1);
    if (result.isError || !loaded) {
      setStatus("");
      return;
    }
    focusId.current = loaded.users[0]?.id ?? null;
    setStatus(`Loaded ${loaded.users.length} more. Showing ${result.data?.pages.flatMap((p) => p.users).length ?? 0} of ${describeUserCount(total)}.`);
  };

  const sortValue = `${filters.sort}:${filters.dir}`;
  const setSort = (v: string) => {
    const [sort, dir] = v.split(":") as [UsersSort, "asc" | "desc"];
    navigate({ ...filters, sort, dir });
  };
  const filtered = filters.q !== undefined || filters.role !== undefined || filters.status !== undefined || filters.provider !== undefined || filters.mfa !== undefined;
  const summary = isPending ? "Searching…" : users.length === 0 ? "No users match." : `Showing ${users.length} of ${describeUserCount(total)}.`;

  return (
    <div className="flex flex-col gap-4">
      <form role="search" aria-label="Users" action="/admin/users" method="get" onSubmit={onSubmit} className="flex flex-col gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={searchId} className="text-sm font-medium text-zinc-800">
            Search by email, name or user id
          </label>
          <div className="flex gap-2">
            <input
              id={searchId}
              name="q"
              type="search"
              value={text}
              onChange={(e) => onType(e.target.value)}
              maxLength={100}
              autoComplete="off"
              spellCheck={false}
              placeholder="ada@example.com, Lovelace, 3f2a…"
              className="min-w-0 flex-1 rounded-lg border border-zinc-300 px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-1"
            />
            <Button type="submit" variant="secondary" className="w-auto">
              Search
            </Button>
          </div>
        </div>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          <Select label="Sort" name="sort" value={sortValue} onChange={setSort} options={SORT_OPTIONS} />
          <Select
            label="Role"
            name="role"
            value={filters.role ?? ""}
            onChange={(v) => navigate({ ...filters, role: (v || undefined) as UsersFilters["role"] })}
            options={[
              { value: "", label: "Any role" },
              { value: "user", label: "User" },
              { value: "support", label: "Support" },
              { value: "admin", label: "Admin" },
            ]}
          />
          <Select
            label="Status"
            name="status"
            value={filters.status ?? ""}
            onChange={(v) => navigate({ ...filters, status: (v || undefined) as UsersFilters["status"] })}
            options={[
              { value: "", label: "Any status" },
              { value: "active", label: "Active" },
              { value: "banned", label: "Banned" },
            ]}
          />
          <Select
            label="Provider"
            name="provider"
            value={filters.provider ?? ""}
            onChange={(v) => navigate({ ...filters, provider: (v || undefined) as UsersFilters["provider"] })}
            options={[
              { value: "", label: "Any provider" },
              { value: "google", label: "Google" },
              { value: "apple", label: "Apple" },
            ]}
          />
          <Select
            label="Two-factor"
            name="mfa"
            value={filters.mfa === undefined ? "" : filters.mfa ? "yes" : "no"}
            onChange={(v) => navigate({ ...filters, mfa: v === "" ? undefined : v === "yes" })}
            options={[
              { value: "", label: "Any" },
              { value: "yes", label: "With two-factor" },
              { value: "no", label: "Without two-factor" },
            ]}
          />
        </div>
      </form>

      <div className="flex flex-wrap items-center justify-between gap-2">
        <p role="status" aria-live="polite" className="text-sm text-zinc-700" data-testid="admin-users-count">
          {summary}
        </p>
        {filtered ? (
          <Link
            href="/admin/users"
            className="text-sm font-medium text-zinc-700 underline underline-offset-4 outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
          >
            Clear search and filters
          </Link>
        ) : null}
      </div>

      <div role="region" aria-label="Users table" tabIndex={0} className="overflow-x-auto rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-zinc-900">
        <table className={`w-full min-w-[52rem] text-left text-sm ${isPending ? "opacity-60" : ""}`} data-testid="admin-users" aria-busy={isPending}>
          <caption className="sr-only">Users, {SORT_OPTIONS.find((o) => o.value === sortValue)?.label.toLowerCase()}</caption>
          <thead className="text-zinc-600">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium" aria-sort={filters.sort === "email" ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}>
                User
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Role
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Status
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Sign-in with
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Two-factor
              </th>
              <th scope="col" className="py-2 pr-4 font-medium" aria-sort={filters.sort === "created" ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}>
                Created
              </th>
              <th scope="col" className="py-2 font-medium" aria-sort={filters.sort === "last_sign_in" ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}>
                Last sign-in
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </tbody>
        </table>
      </div>
      {users.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-600" data-testid="admin-users-empty">
          No users match this search. Try part of an email or a name, or clear the filters.
        </p>
      ) : null}

      {query.isFetchNextPageError ? (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="admin-users-error">
          More users could not be loaded: {query.error?.message}
        </p>
      ) : null}
      {query.hasNextPage ? (
        <div>
          <Button
            type="button"
            variant="secondary"
            className="w-auto"
            aria-disabled={query.isFetchingNextPage}
            onClick={() => {
              if (!query.isFetchingNextPage) void loadMore();
            }}
          >
            {query.isFetchingNextPage ? "Loading more users…" : query.isFetchNextPageError ? "Try again" : "Load more"}
          </Button>
        </div>
      ) : null}
      <p role="status" className="sr-only" data-testid="admin-users-status">
        {status}
      </p>
    </div>
  );
}
