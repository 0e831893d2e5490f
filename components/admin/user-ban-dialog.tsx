"use client";

import { useId, useState } from "react";
import { banUserBody } from "@/lib/admin/ban-user-input";
import { ConfirmDialog } from "./confirm-dialog";
import { BAN_DURATIONS, REASON_MAX, reasonProblem, type BanDuration } from "./user-actions";

export type BanRequest = { duration: BanDuration; reason: string };

/**
 * Ban with a duration and a required reason. The body is checked here with the route's own schema
 * (lib/admin/ban-user-input.ts: one line of 1 to 500 characters), with the message next to the field; the
 * server's own refusal (your own account) comes back as a toast.
 */
export function UserBanDialog({ open, name, onConfirm, onCancel }: { open: boolean; name: string; onConfirm: (request: BanRequest) => void; onCancel: () => void }) {
  const [duration, setDuration] = useState<BanDuration>("24h");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const durationId = useId();
  const reasonId = useId();
  const hintId = useId();
  const problemId = useId();

  const reset = () => {
    setDuration("24h");
    setReason("");
    setProblem(null);
  };
  const confirm = () => {
    const parsed = banUserBody.safeParse({ duration, reason });
    if (!parsed.success) {
      setProblem(reason.trim() === "" ? "Give a reason for the ban." : reasonProblem(parsed.error.issues[0]?.message));
      document.getElementById(reasonId)?.focus();
      return;
    }
    reset();
    onConfirm({ duration, reason: parsed.data.reason });
  };

  return (
    <ConfirmDialog
      open={open}
      testId="ban-dialog"
      title={`Ban ${name}?`}
      description={<p>They are signed out everywhere at once and cannot sign in again until the ban ends or you unban them.</p>}
      confirmLabel="Ban user"
      onConfirm={confirm}
      onCancel={() => {
        reset();
        onCancel();
      }}
    >
      <div className="flex flex-col gap-1">
        <label htmlFor={durationId} className="text-sm font-medium">
          Duration
        </label>
        <select
          id={durationId}
          value={duration}
          onChange={(e) => setDuration(e.target.value as BanDuration)}
          className="rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
        >
          {BAN_DURATIONS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={reasonId} className="text-sm font-medium">
          Reason
        </label>
        <input
          id={reasonId}
          type="text"
          autoComplete="off"
          value={reason}
          required
          maxLength={REASON_MAX + 100}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${problemId} ${hintId}` : hintId}
          onChange={(e) => {
            setReason(e.target.value);
            if (problem) setProblem(null);
          }}
          className="rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 aria-invalid:border-red-600"
        />
        <p id={hintId} className="text-xs text-zinc-600">
          Kept in the audit trail. One line, up to {REASON_MAX} characters.
        </p>
        {problem ? (
          <p id={problemId} className="text-sm text-red-700" data-testid="ban-reason-error">
            {problem}
          </p>
        ) : null}
      </div>
    </ConfirmDialog>
  );
}
