"use client";

import { useState } from "react";
import type { AdminUserDetail, AdminUserSession } from "@/lib/admin/get-user-detail";
import { parseUserAgent } from "@/lib/account/device";
import { assuranceLabel, deviceLabel, formatWhen } from "@/lib/account/session-labels";
import { Button } from "../ui/button";
import { ConfirmDialog } from "./confirm-dialog";
import { failureMessage, postAdmin, userName, userRoute, useUserMutation } from "./user-actions";
import { UserSection } from "./user-section";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Sessions: every session the user can still use, with the device (parsed from its user agent), times, IP and
 * sign-in strength. For those allowed (sessions.revoke): end one at once, or all after confirmation; an ended
 * session is signed out on its next request.
 */
export function UserSessionsSection({ user, canRevoke }: { user: AdminUserDetail; canRevoke: boolean }) {
  const [confirmAll, setConfirmAll] = useState(false);
  const name = userName(user);

  const endOne = useUserMutation<AdminUserSession, unknown>(user.id, {
    request: (s) => postAdmin(userRoute(user.id, "sessions/end"), { sessionId: s.id }),
    optimistic: (d, s) => ({ ...d, sessions: d.sessions.filter((x) => x.id !== s.id) }),
    success: (s) => `Ended the session on ${deviceLabel(parseUserAgent(s.userAgent))}.`,
    failure: (s) => `The session on ${deviceLabel(parseUserAgent(s.userAgent))} was not ended.`,
  });
  const endAll = useUserMutation<void, { sessionsRevoked?: number }>(user.id, {
    request: () => postAdmin(userRoute(user.id, "sessions/end-all"), {}),
    optimistic: (d) => ({ ...d, sessions: [] }),
    success: (_v, r) => (typeof r.sessionsRevoked === "number" ? `Ended ${plural(r.sessionsRevoked, "session")} of ${name}.` : `Ended every session of ${name}.`),
    failure: () => `${name}'s sessions were not ended.`,
  });
  const busy = endOne.isPending || endAll.isPending;
  const error = endOne.error ?? endAll.error;

  return (
    <UserSection
      title="Sessions"
      testId="section-sessions"
      description="Signed-in browsers and apps. Ending a session signs it out on its next request."
      actions={
        canRevoke && user.sessions.length > 0 ? (
          <Button type="button" variant="danger" className="w-auto" disabled={busy} onClick={() => setConfirmAll(true)}>
            End all sessions
          </Button>
        ) : null
      }
    >
      {user.sessions.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="no-sessions">
          No active session.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Active sessions" data-testid="session-list">
          {user.sessions.map((s) => {
            const label = deviceLabel(parseUserAgent(s.userAgent));
            return (
              <li key={s.id} className="rounded-lg border border-zinc-200 p-3" data-testid="session" data-session-id={s.id}>
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="font-medium">{label}</p>
                    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                      <dt className="text-zinc-600">Signed in</dt>
                      <dd>{formatWhen(s.createdAt)}</dd>
                      <dt className="text-zinc-600">Last active</dt>
                      <dd>{formatWhen(s.lastActiveAt)}</dd>
                      <dt className="text-zinc-600">IP address</dt>
                      <dd className="break-all">{s.ip ?? "—"}</dd>
                      <dt className="text-zinc-600">Sign-in</dt>
                      <dd>{assuranceLabel(s.aal)}</dd>
                    </dl>
                  </div>
                  {canRevoke ? (
                    <Button
                      type="button"
                      variant="secondary"
                      className="w-auto"
                      disabled={busy}
                      aria-label={`End session on ${label}, signed in ${formatWhen(s.createdAt)}`}
                      onClick={() => endOne.mutate(s)}
                    >
                      End session
                    </Button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {error ? (
        <p className="mt-3 text-sm text-red-700" data-testid="sessions-error">
          {failureMessage(error)}
        </p>
      ) : null}
      {canRevoke ? (
        <ConfirmDialog
          open={confirmAll}
          testId="end-all-dialog"
          title={`End all of ${name}'s sessions?`}
          description={<p>Every browser and app signed in as {name} is signed out on its next request. They can sign in again.</p>}
          confirmLabel="End all sessions"
          onCancel={() => setConfirmAll(false)}
          onConfirm={() => {
            setConfirmAll(false);
            endAll.mutate();
          }}
        />
      ) : null}
    </UserSection>
  );
}
