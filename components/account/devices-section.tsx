"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AccountSession } from "@/lib/account/list-sessions";
import type { Provider } from "@/lib/auth/providers";
import type { StepUpRequirement } from "@/lib/auth/step-up-requirement";
import { StepUpPrompt } from "../account-data/step-up-prompt";
import { assuranceLabel, deviceLabel, formatWhen } from "@/lib/account/session-labels";
import { Button } from "../ui/button";
import { call, failureMessage, RequestError } from "./request";

const SESSIONS_KEY = ["account", "sessions"] as const;

const fetchSessions = async () => (await call<{ sessions: AccountSession[] }>("/api/account/sessions")).sessions;

const endOne = (sessionId: string) =>
  call<{ sessionId: string; ended: boolean }>("/api/account/sessions/end", { method: "POST", body: JSON.stringify({ sessionId }) });

const endOthers = () => call<{ sessionsEnded: number }>("/api/account/sessions/end-others", { method: "POST", body: "{}" });

type Notice = { kind: "status" | "alert"; text: string } | null;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The Devices and sessions section: the list comes from the server render, then from
 * GET /api/account/sessions (React Query). Ending a session takes it off the list at once (optimistically);
 * if the server refuses, the list comes back and a message says why.
 */
export function DevicesSection({ initial, providers }: { initial: AccountSession[]; providers: readonly Provider[] }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: SESSIONS_KEY, queryFn: fetchSessions, initialData: initial });
  const [notice, setNotice] = useState<Notice>(null);
  const [stepUp, setStepUp] = useState<StepUpRequirement | null>(null);
  const sessions = query.data;
  const others = sessions.filter((s) => !s.current);

  const optimistic = async (keep: (s: AccountSession) => boolean) => {
    setNotice(null);
    await queryClient.cancelQueries({ queryKey: SESSIONS_KEY });
    const previous = queryClient.getQueryData<AccountSession[]>(SESSIONS_KEY);
    if (previous) queryClient.setQueryData<AccountSession[]>(SESSIONS_KEY, previous.filter(keep));
    return { previous };
  };
  const rollback = (error: unknown, context: { previous?: AccountSession[] } | undefined, what: string) => {
    if (context?.previous) queryClient.setQueryData(SESSIONS_KEY, context.previous);
    setNotice({ kind: "alert", text: `${what} ${failureMessage(error)}` });
  };

  const endOneMutation = useMutation({
    mutationFn: (session: AccountSession) => endOne(session.id),
    onMutate: (session) => optimistic((s) => s.id !== session.id),
    onError: (error, session, context) => rollback(error, context, `${deviceLabel(session.device)} was not signed out.`),
    onSuccess: (result, session) =>
      setNotice({
        kind: "status",
        text: result.ended ? `Signed out of ${deviceLabel(session.device)}.` : `${deviceLabel(session.device)} was already signed out.`,
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
  const endOthersMutation = useMutation({
    mutationFn: endOthers,
    onMutate: () => optimistic((s) => s.current),
    onError: (error, _v, context) => {
      rollback(error, context, "Your other devices were not signed out.");
      if (error instanceof RequestError && error.code === "step_up_required") setStepUp(error.requirement ?? "recent_sign_in");
    },
    onSuccess: (result) => {
      setStepUp(null);
      setNotice({ kind: "status", text: `Signed out of ${plural(result.sessionsEnded, "other device")}.` });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
  const busy = endOneMutation.isPending || endOthersMutation.isPending;

  return (
    <div className="flex flex-col gap-4">
      {query.isRefetchError ? (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          The list could not be refreshed: {failureMessage(query.error)}{" "}
          <button type="button" onClick={() => void query.refetch()} className="font-medium underline focus-visible:outline-2 focus-visible:outline-zinc-900">
            Try again
          </button>
        </p>
      ) : null}
      <ul className="flex flex-col gap-3" aria-label="Signed-in devices" data-testid="session-list">
        {sessions.map((session) => {
          const label = deviceLabel(session.device);
          return (
            <li key={session.id} data-testid="session" data-session-id={session.id} className="rounded-lg border border-zinc-200 p-4">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="font-medium">
                    {label}
                    {session.current ? (
                      <span data-testid="current-session" className="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">
                        This device
                      </span>
                    ) : null}
                  </p>
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    <dt className="text-zinc-600">Signed in</dt>
                    <dd>{formatWhen(session.createdAt)}</dd>
                    <dt className="text-zinc-600">Last active</dt>
                    <dd>{formatWhen(session.lastActiveAt)}</dd>
                    <dt className="text-zinc-600">IP address</dt>
                    <dd className="break-all">{session.ip ?? "—"}</dd>
                    <dt className="text-zinc-600">Sign-in</dt>
                    <dd>{assuranceLabel(session.aal)}</dd>
                  </dl>
                </div>
                {session.current ? null : (
                  <Button
                    type="button"
                    variant="secondary"
                    className="w-auto"
                    disabled={busy}
                    aria-label={`Sign out ${label}, signed in ${formatWhen(session.createdAt)}`}
                    onClick={() => endOneMutation.mutate(session)}
                  >
                    Sign out
                  </Button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      {others.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="no-other-sessions">
          No other device is signed in.
        </p>
      ) : (
        <div>
          <Button type="button" variant="danger" className="w-auto" disabled={busy} onClick={() => endOthersMutation.mutate()}>
            Sign out of all other devices
          </Button>
        </div>
      )}
      {stepUp ? <StepUpPrompt requirement={stepUp} next="/account/devices" providers={providers} /> : null}
      <p role={notice?.kind === "alert" ? "alert" : "status"} data-testid="sessions-notice" className={`text-sm ${notice?.kind === "alert" ? "text-red-700" : "text-emerald-700"}`}>
        {notice?.text ?? ""}
      </p>
    </div>
  );
}
