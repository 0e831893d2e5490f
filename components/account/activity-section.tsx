"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { SecurityEventPage } from "@/lib/account/list-security-events";
import { eventDevice, eventTitle } from "@/lib/account/security-event-labels";
import { formatWhen } from "@/lib/account/session-labels";
import { Button } from "../ui/button";
import { call, failureMessage } from "./request";

const fetchPage = (cursor: string | null) =>
  call<SecurityEventPage>(cursor === null ? "/api/account/activity" : `/api/account/activity?cursor=${encodeURIComponent(cursor)}`);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The Security activity section: the newest page comes from the server render; "Show older" fetches the
 * next page from GET /api/account/activity (React Query's infinite query, keyset cursor). The cache is keyed
 * by the newest event, so a render that brings newer events starts afresh while an unchanged list keeps the
 * older pages already loaded. After a page loads, focus moves to its first event.
 */
export function ActivitySection({ initial, currentSessionId }: { initial: SecurityEventPage; currentSessionId: string }) {
  const query = useInfiniteQuery<SecurityEventPage, Error, InfiniteData<SecurityEventPage, string | null>, readonly unknown[], string | null>({
    queryKey: ["account", "activity", initial.events[0]?.id ?? "none"],
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
  });
  const [status, setStatus] = useState("");
  const focusId = useRef<string | null>(null);
  const events = query.data.pages.flatMap((p) => p.events);

  useEffect(() => {
    if (focusId.current === null) return;
    const item = document.querySelector<HTMLElement>(`[data-event-id="${focusId.current}"]`);
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

  if (events.length === 0 && !query.hasNextPage) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-600" data-testid="activity-empty">
        No security activity yet. Sign-ins, signed-out devices and changes to how you sign in will appear here.
      </p>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <ol className="flex flex-col gap-3" aria-label="Security events, newest first" data-testid="activity-list">
        {events.map((event) => {
          const device = eventDevice(event);
          const thisDevice = event.kind === "signed_in" && event.sessionId !== null && event.sessionId === currentSessionId;
          return (
            <li
              key={event.id}
              tabIndex={-1}
              data-testid="activity-event"
              data-event-id={event.id}
              data-kind={event.kind}
              className="rounded-lg border border-zinc-200 p-4 outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                <p className="font-medium">
                  {eventTitle(event)}
                  {thisDevice ? (
                    <span data-testid="activity-this-device" className="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">
                      This device
                    </span>
                  ) : null}
                </p>
                <time dateTime={event.occurredAt} className="text-sm text-zinc-600">
                  {formatWhen(event.occurredAt)}
                </time>
              </div>
              {device || event.ip ? (
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                  {device ? (
                    <>
                      <dt className="text-zinc-600">{device.label}</dt>
                      <dd data-testid="activity-device">{device.value}</dd>
                    </>
                  ) : null}
                  {event.ip ? (
                    <>
                      <dt className="text-zinc-600">IP address</dt>
                      <dd className="break-all" data-testid="activity-ip">
                        {event.ip}
                      </dd>
                    </>
                  ) : null}
                </dl>
              ) : null}
            </li>
          );
        })}
      </ol>
      {query.isFetchNextPageError ? (
        <p role="alert" data-testid="activity-error" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Older events could not be loaded: {failureMessage(query.error)}
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
              if (!query.isFetchingNextPage) void showOlder();
            }}
          >
            {query.isFetchingNextPage ? "Loading older events…" : query.isFetchNextPageError ? "Try again" : "Show older"}
          </Button>
        </div>
      ) : (
        <p className="text-sm text-zinc-600" data-testid="activity-end">
          That is all your recent activity.
        </p>
      )}
      <p role="status" data-testid="activity-status" className="sr-only">
        {status}
      </p>
    </div>
  );
}
