"use client";

import { useId, useState } from "react";
import { confirmsEmail, deleteUserBody } from "@/lib/admin/delete-user-input";
import { ConfirmDialog } from "./confirm-dialog";
import { REASON_MAX, reasonProblem } from "./user-actions";

export type DeleteRequest = { confirmEmail: string; reason?: string };

/**
 * Delete with a typed confirmation: the user's email, compared case-insensitively as the server compares it.
 * The dialog stays open while the deletion runs and shows the server's refusal in place; on success the page
 * navigates away.
 */
export function UserDeleteDialog(props: {
  open: boolean;
  email: string;
  name: string;
  busy: boolean;
  error: string | null;
  onConfirm: (request: DeleteRequest) => void;
  onCancel: () => void;
}) {
  const { open, email, name, busy, error, onConfirm, onCancel } = props;
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const typedId = useId();
  const reasonId = useId();
  const problemId = useId();

  const confirm = () => {
    if (!confirmsEmail(typed, email)) {
      setProblem("Type the user's email exactly as shown to confirm.");
      document.getElementById(typedId)?.focus();
      return;
    }
    const parsed = deleteUserBody.safeParse({ confirmEmail: typed, reason });
    if (!parsed.success) {
      setProblem(reasonProblem(parsed.error.issues[0]?.message));
      document.getElementById(reasonId)?.focus();
      return;
    }
    onConfirm({ confirmEmail: parsed.data.confirmEmail, ...(parsed.data.reason ? { reason: parsed.data.reason } : {}) });
  };

  return (
    <ConfirmDialog
      open={open}
      testId="delete-dialog"
      title={`Delete ${name}?`}
      description={
        <p>
          This deletes the account for good: its sign-in identities, sessions, two-factor factors, profile and role. The audit trail keeps a
          record. This cannot be undone.
        </p>
      }
      confirmLabel="Delete user"
      busyLabel="Deleting…"
      busy={busy}
      error={error}
      onConfirm={confirm}
      onCancel={() => {
        setTyped("");
        setReason("");
        setProblem(null);
        onCancel();
      }}
    >
      <div className="flex flex-col gap-1">
        <label htmlFor={typedId} className="text-sm font-medium">
          Type <span className="font-mono break-all">{email}</span> to confirm
        </label>
        <input
          id={typedId}
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          maxLength={400}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? problemId : undefined}
          onChange={(e) => {
            setTyped(e.target.value);
            if (problem) setProblem(null);
          }}
          className="rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 aria-invalid:border-red-600"
        />
        {problem ? (
          <p id={problemId} className="text-sm text-red-700" data-testid="delete-confirm-error">
            {problem}
          </p>
        ) : null}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={reasonId} className="text-sm font-medium">
          Reason <span className="font-normal text-zinc-600">(optional)</span>
        </label>
        <input
          id={reasonId}
          type="text"
          autoComplete="off"
          value={reason}
          maxLength={REASON_MAX + 100}
          onChange={(e) => setReason(e.target.value)}
          className="rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
        />
      </div>
    </ConfirmDialog>
  );
}
