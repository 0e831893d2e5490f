"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { AuditParty, UserAuditEvent, UserAuditPage } from "@/lib/admin/list-user-audit";
import { formatWhen } from "@/lib/account/session-labels";
import { Button } from "../ui/button";
import { failureMessage, getAdmin, userAuditKey } from "./user-actions";
import { UserSection } from "./user-section";

const ACTIONS: Record<string, string> = {
  "user.ban": "Banned",
  "user.unban": "Unbanned",
  "user.delete": "Deleted",
  "user.create": "Created",
  "account.delete": "Deleted their account",
  "account.export": "Exported their data",
  "role.assign": "Role changed",
  "role.remove": "Role removed",
  "sessions.revoke": "Sessions ended by staff",
  "session.revoke": "Session ended by staff",
  "session.end": "Session ended",
  "sessions.end_others": "Other sessions ended",
  "factor.delete": "Factor removed",
  "factor.remove": "Factor removed",
  "identity.link": "Identity linked",
  "identity.unlink": "Identity unlinked",
  "profile.update": "Profile changed",
};

const fetchPage = (userId: string, cursor: string | null) =>
  getAdmin<UserAuditPage>(`/api/admin/users/${encodeURIComponent(userId)}/audit${cursor === null ? "" : `?cursor=${encodeURIComponent(cursor)}`}`);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function who(party: AuditParty | null, userId: string): string {
  if (!party) return "the system";
  if (party.id === userId) return "this user";
  return party.email ?? `a deleted user (${party.id})`;
}

/** The reason an admin gave, when the event carries one. */
function reasonOf(event: UserAuditEvent): string | null {
  const after = event.after;
  if (after && typeof after === "object" && "reason" in after && typeof after.reason === "string" && after.reason.trim() !== "") return after.reason;
  return null;
}

/**
 * Audit trail: the events where this user is the target or the actor, newest first. The newest page comes
 * from the server render; "Show older" fetches the next from GET /api/admin/users/[id]/audit (an infinite
 * query on the keyset cursor), moves focus to its first event and announces how many came. The cache is keyed
 * by the newest event, so a render after a change (which brings its event) starts afresh.
 */
export function UserAuditSection({ userId, initial }: { userId: string; initial: UserAuditPage }) {
  const query = useInfiniteQuery<UserAuditPage, Error, InfiniteData<UserAuditPage, string | null>, readonly unknown[], string | null>({
    queryKey: [...userAuditKey(userId), initial.events[0]?.id ?? "none"],
    queryFn: ({ pageParam }) => fetchPage(userId, pageParam),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
    staleTime: Infinity,
  });
  const [status, setStatus] = useState("");
  const focusId = useRef<string | null>(null);
  const events = query.data.pages.flatMap((p) => p.events);

  useEffect(() => {
    if (focusId.current === null) return;
    const item = document.querySelector<HTMLElement>(`[data-audit-id="${focusId.current}"]`);
    focusId.current = null;
    item?.focus();
  }, [query.data.pages.length]);

  const showOlder = async () => {
    setStatus("Loading older events…");
    const result = await query.fetchNextPage();
    if (result.isError) {
      setStatus("");
      return;
    }
    const loaded = result.data?.pages.at(-1);
    if (!loaded) return;
    focusId.current = loaded.events[0]?.id ?? null;
    setStatus(
      loaded.events.length === 0
        ? "There are no older events."
        : `Loaded ${plural(loaded.events.length, "older event")}.${loaded.nextCursor === null ? " These are the oldest events." : ""}`,
    );
  };

  return (
    <UserSection title="Audit trail" testId="section-audit" description="Everything done to or by this user that the app recorded, newest first. Times are in UTC.">
      {events.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="audit-empty">
          No recorded events.
        </p>
      ) : (
        <ol className="flex flex-col gap-3" aria-label="Audit events, newest first" data-testid="audit-list">
          {events.map((event) => {
            const reason = reasonOf(event);
            const byThisUser = event.actor?.id === userId;
            return (
              <li
                key={event.id}
                tabIndex={-1}
                data-testid="audit-event"
                data-audit-id={event.id}
                data-action={event.action}
                className="rounded-lg border border-zinc-200 p-3 text-sm outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
              >
                <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                  <p className="font-medium">
                    {ACTIONS[event.action] ?? event.action} <span className="font-mono text-xs font-normal text-zinc-600">{event.action}</span>
                  </p>
                  <time dateTime={event.occurredAt} className="text-zinc-600">
                    {formatWhen(event.occurredAt)}
                  </time>
                </div>
                <p className="mt-1 break-words text-zinc-700">
                  By {who(event.actor, userId)}
                  {byThisUser && event.target && event.target.id !== userId ? `, to ${who(event.target, userId)}` : ""}
                  {event.ip ? ` · from ${event.ip}` : ""}
                </p>
                {reason ? (
                  <p className="mt-1 break-words" data-testid="audit-reason">
                    <span className="text-zinc-600">Reason:</span> {reason}
                  </p>
                ) : null}
                {event.before !== null || event.after !== null ? (
                  <details className="mt-2">
                    <summary className="cursor-pointer text-zinc-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900">Before and after</summary>
                    <pre className="mt-2 max-w-full overflow-x-auto rounded bg-zinc-50 p-2 text-xs whitespace-pre-wrap break-all">
                      {JSON.stringify({ before: event.before, after: event.after }, null, 2)}
                    </pre>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      {query.isFetchNextPageError ? (
        <p role="alert" data-testid="audit-error" className="mt-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Older events could not be loaded: {failureMessage(query.error)}
        </p>
      ) : null}
      {query.hasNextPage ? (
        <div className="mt-4">
          <Button
            type="button"
            variant="secondary"
            className="w-auto"
            aria-disabled={query.isFetchingNextPage}
            onClick={() => {
              if (!query.isFetchingNextPage) void showOlder();
            }}
          >
            {query.isFetchingNextPage ? "Loading older events…" : query.isFetchNextPageError ? "Try again" : "Show older"}
          </Button>
        </div>
      ) : events.length > 0 ? (
        <p className="mt-4 text-sm text-zinc-600" data-testid="audit-end">
          That is the whole trail.
        </p>
      ) : null}
      <p role="status" data-testid="audit-status" className="sr-only">
        {status}
      </p>
    </UserSection>
  );
}
