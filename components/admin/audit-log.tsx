"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useTransition, type FormEvent } from "react";
import { AUDIT_PAGE_SIZE, auditExportHref, auditInputTime, auditFiltersToParams, auditHref, type AuditFilters } from "@/lib/admin/audit-query";
import { auditChanges, formatAdminTime } from "@/lib/admin/format";
import type { AuditLogPage, AuditLogRow } from "@/lib/admin/search-audit";
import { Button } from "../ui/button";

type PageResult = { ok: true } & AuditLogPage;

async function fetchPage(filters: AuditFilters, cursor: string): Promise<PageResult> {
  const params = auditFiltersToParams(filters);
  params.set("cursor", cursor);
  params.set("limit", String(AUDIT_PAGE_SIZE));
  let res: Response;
  try {
    res = await fetch(`/api/admin/audit?${params}`, { headers: { accept: "application/json" } });
  } catch {
    throw new Error("The server could not be reached. Check your connection and try again.");
  }
  const body = (await res.json().catch(() => null)) as (PageResult | { ok: false; error?: { message?: string } }) | null;
  if (!res.ok || !body || body.ok !== true) {
    throw new Error((body && "error" in body && body.error?.message) || `Something went wrong (${res.status}). Please try again.`);
  }
  return body;
}

const inputClass =
  "w-full min-w-0 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-1";

function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, hintId: string | undefined) => React.ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-zinc-700">
        {label}
      </label>
      {children(id, hintId)}
      {hint ? (
        <p id={hintId} className="text-xs text-zinc-600">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function Who({ id, email, testId }: { id: string | null; email: string | null; testId: string }) {
  if (!id) return <span data-testid={testId}>System</span>;
  return (
    <span data-testid={testId} data-user-id={id}>
      <Link
        href={`/admin/users/${id}`}
        className="break-all text-zinc-900 underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-zinc-900"
      >
        {email ?? "Deleted user"}
      </Link>
      <span className="block font-mono text-xs text-zinc-500">{id.slice(0, 8)}</span>
    </span>
  );
}

function Changes({ event }: { event: AuditLogRow }) {
  const changes = auditChanges(event.before, event.after);
  if (changes.length === 0) return <span className="text-zinc-500">—</span>;
  return (
    <ul className="flex flex-col gap-0.5 text-xs" data-testid="audit-changes">
      {changes.map((c) => (
        <li key={c.key} className="break-words">
          <span className="font-medium">{c.key}</span>: {c.before === null ? "" : <span className="text-zinc-600">{c.before}</span>}
          {c.before !== null && c.after !== null ? " → " : ""}
          {c.after === null ? (c.before === null ? "" : " (removed)") : <span>{c.after}</span>}
        </li>
      ))}
    </ul>
  );
}

/**
 * The filter form, keyed by the applied filters: when the URL changes (Apply, Back, a link) it starts again
 * from what is applied. Without JavaScript it is a plain GET of the page.
 */
function AuditFilterForm({ filters, actions, onApply }: { filters: AuditFilters; actions: string[]; onApply: (filters: AuditFilters) => void }) {
  // A date alone in the URL is shown as the same instant in the datetime inputs (which take a date and time).
  const [draft, setDraft] = useState<AuditFilters>(() => ({
    ...filters,
    from: filters.from && auditInputTime(filters.from, "from"),
    to: filters.to && auditInputTime(filters.to, "to"),
  }));
  const actionOptions = filters.action && !actions.includes(filters.action) ? [...actions, filters.action].sort() : actions;
  const set = (k: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form role="search" aria-label="Audit log" action="/admin/audit" method="get" onSubmit={onSubmit} className="flex flex-col gap-3">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <Field label="Actor" hint="Email or user id">
          {(id, hint) => (
            <input id={id} name="actor" aria-describedby={hint} value={draft.actor ?? ""} onChange={set("actor")} maxLength={320} autoComplete="off" spellCheck={false} className={inputClass} />
          )}
        </Field>
        <Field label="Target" hint="Email or user id">
          {(id, hint) => (
            <input id={id} name="target" aria-describedby={hint} value={draft.target ?? ""} onChange={set("target")} maxLength={320} autoComplete="off" spellCheck={false} className={inputClass} />
          )}
        </Field>
        <Field label="Action">
          {(id) => (
            <select id={id} name="action" value={draft.action ?? ""} onChange={set("action")} className={inputClass}>
              <option value="">Any action</option>
              {actionOptions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From (UTC)">
          {(id) => <input id={id} name="from" type="datetime-local" value={draft.from ?? ""} onChange={set("from")} className={inputClass} />}
        </Field>
        <Field label="To (UTC)">
          {(id) => <input id={id} name="to" type="datetime-local" value={draft.to ?? ""} onChange={set("to")} className={inputClass} />}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" className="w-auto">
          Apply filters
        </Button>
        {filtered ? (
          <Link href="/admin/audit" className="text-sm font-medium text-zinc-700 underline underline-offset-4 outline-none focus-visible:ring-2 focus-visible:ring-zinc-900">
            Clear filters
          </Link>
        ) : null}
        <a
          href={auditExportHref(filters)}
          download
          data-testid="audit-export"
          className="ml-auto rounded-lg border border-zinc-300 bg-white px-4 py-2.5 text-sm font-medium text-zinc-900 outline-none hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-2"
        >
          Download CSV{filtered ? " of these events" : ""}
        </a>
      </div>
    </form>
  );
}

/**
 * The audit log: filters in the URL (router.push on Apply, so links are shareable and Back restores them), the
 * first page rendered by the server, "Load more" fetching the next keyset page from GET /api/admin/audit
 * (React Query's infinite query), and a CSV download of the applied filters.
 */
export function AuditLog({ filters, initial, actions }: { filters: AuditFilters; initial: AuditLogPage; actions: string[] }) {
  const router = useRouter();
  const [isPending, startTransition] = useTransition();
  const [status, setStatus] = useState("");
  const focusId = useRef<string | null>(null);
  const key = auditHref(filters);

  const apply = (next: AuditFilters) => {
    const href = auditHref(next);
    if (href !== key) startTransition(() => router.push(href, { scroll: false }));
  };

  const query = useInfiniteQuery<PageResult, Error, InfiniteData<PageResult, string | null>, readonly unknown[], string | null>({
    queryKey: ["admin", "audit", key, initial.events[0]?.id ?? "none", initial.nextCursor],
    queryFn: ({ pageParam }) => (pageParam === null ? Promise.resolve({ ok: true as const, ...initial }) : fetchPage(filters, pageParam)),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [{ ok: true as const, ...initial }], pageParams: [null] },
    staleTime: Infinity,
  });
  const events = query.data.pages.flatMap((p) => p.events);

  useEffect(() => {
    if (focusId.current === null) return;
    const row = document.querySelector<HTMLElement>(`[data-event-id="${focusId.current}"]`);
    focusId.current = null;
    row?.focus();
  }, [query.data.pages.length]);

  const loadMore = async () => {
    setStatus("Loading older events…");
    const result = await query.fetchNextPage();
    const loaded = result.data?.pages.at(-1);
    if (result.isError || !loaded) {
      setStatus("");
      return;
    }
    focusId.current = loaded.events[0]?.id ?? null;
    setStatus(`Loaded ${loaded.events.length} older event${loaded.events.length === 1 ? "" : "s"}.${loaded.nextCursor === null ? " These are the oldest." : ""}`);
  };


  return (
    <div className="flex flex-col gap-4">
      <AuditFilterForm key={key} filters={filters} actions={actions} onApply={apply} />

      <p role="status" aria-live="polite" className="text-sm text-zinc-700" data-testid="audit-summary">
        {isPending ? "Loading…" : events.length === 0 ? "No events match." : `Showing ${events.length} event${events.length === 1 ? "" : "s"}${query.hasNextPage ? ", newest first; more below" : ""}.`}
      </p>

      {events.length > 0 ? (
        <div role="region" aria-label="Audit events" tabIndex={0} className="overflow-x-auto rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-zinc-900">
          <table className={`w-full min-w-[60rem] text-left text-sm ${isPending ? "opacity-60" : ""}`} data-testid="audit-events" aria-busy={isPending}>
            <caption className="sr-only">Audit events, newest first</caption>
            <thead className="text-zinc-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium" aria-sort="descending">
                  Time
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Actor
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Action
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Target
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Reason
                </th>
                <th scope="col" className="py-2 font-medium">
                  Changes
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr
                  key={e.id}
                  tabIndex={-1}
                  data-testid="audit-event"
                  data-event-id={e.id}
                  data-action={e.action}
                  className="border-t border-zinc-100 align-top outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
                >
                  <td className="py-2 pr-4 whitespace-nowrap">
                    <time dateTime={e.at}>{formatAdminTime(e.at)}</time>
                  </td>
                  <td className="py-2 pr-4">
                    <Who id={e.actorId} email={e.actorEmail} testId="audit-actor" />
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs" data-testid="audit-action">
                    {e.action}
                  </td>
                  <td className="py-2 pr-4">{e.targetId ? <Who id={e.targetId} email={e.targetEmail} testId="audit-target" /> : <span className="text-zinc-500">—</span>}</td>
                  <td className="py-2 pr-4 break-words" data-testid="audit-reason">
                    {e.reason ?? <span className="text-zinc-500">—</span>}
                  </td>
                  <td className="py-2">
                    <Changes event={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-600" data-testid="audit-empty">
          No audit events match these filters.
        </p>
      )}

      {query.isFetchNextPageError ? (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Older events could not be loaded: {query.error?.message}
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
            {query.isFetchingNextPage ? "Loading older events…" : query.isFetchNextPageError ? "Try again" : "Load more"}
          </Button>
        </div>
      ) : null}
      <p role="status" className="sr-only" data-testid="audit-status">
        {status}
      </p>
    </div>
  );
}
