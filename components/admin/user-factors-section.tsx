"use client";

import { useId, useState } from "react";
import type { AdminUserDetail, AdminUserFactor } from "@/lib/admin/get-user-detail";
import { removeFactorBody } from "@/lib/admin/remove-factor-input";
import { formatWhen } from "@/lib/account/session-labels";
import { Button } from "../ui/button";
import { ConfirmDialog } from "./confirm-dialog";
import { failureMessage, postAdmin, REASON_MAX, reasonProblem, userName, userRoute, useUserMutation } from "./user-actions";
import { UserSection } from "./user-section";

const TYPES: Record<string, string> = { totp: "Authenticator app", phone: "Phone", webauthn: "Security key" };

const factorName = (f: AdminUserFactor) => f.friendlyName?.trim() || TYPES[f.type] || f.type;

type Removal = { factor: AdminUserFactor; reason?: string };

/**
 * Two-factor: the user's MFA factors (never their secrets). For those allowed (factors.delete), remove one
 * after confirmation, for a lost phone: the user then signs in without a code until they add a new one.
 */
export function UserFactorsSection({ user, canRemove }: { user: AdminUserDetail; canRemove: boolean }) {
  const [target, setTarget] = useState<AdminUserFactor | null>(null);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const reasonId = useId();
  const problemId = useId();
  const name = userName(user);

  const remove = useUserMutation<Removal, unknown>(user.id, {
    request: ({ factor, reason }) => postAdmin(userRoute(user.id, "factors/remove"), { factorId: factor.id, ...(reason ? { reason } : {}) }),
    optimistic: (d, { factor }) => ({ ...d, factors: d.factors.filter((f) => f.id !== factor.id) }),
    success: ({ factor }) => `Removed ${factorName(factor)} from ${name}.`,
    failure: ({ factor }) => `${factorName(factor)} was not removed.`,
  });

  return (
    <UserSection title="Two-factor" testId="section-factors" description="Authenticator apps and other second factors. Secrets are never shown.">
      {user.factors.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="no-factors">
          No second factor.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Second factors" data-testid="factor-list">
          {user.factors.map((f) => (
            <li key={f.id} className="rounded-lg border border-zinc-200 p-3" data-testid="factor" data-factor-id={f.id}>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="font-medium break-words">{factorName(f)}</p>
                  <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    <dt className="text-zinc-600">Type</dt>
                    <dd>{TYPES[f.type] ?? f.type}</dd>
                    <dt className="text-zinc-600">Status</dt>
                    <dd>{f.status === "verified" ? "Verified" : "Not verified (enrolment not finished)"}</dd>
                    <dt className="text-zinc-600">Added</dt>
                    <dd>{formatWhen(f.createdAt)}</dd>
                  </dl>
                </div>
                {canRemove ? (
                  <Button
                    type="button"
                    variant="secondary"
                    className="w-auto"
                    disabled={remove.isPending}
                    aria-label={`Remove ${factorName(f)}`}
                    onClick={() => {
                      setReason("");
                      setProblem(null);
                      setTarget(f);
                    }}
                  >
                    Remove
                  </Button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      {remove.error ? (
        <p className="mt-3 text-sm text-red-700" data-testid="factors-error">
          {failureMessage(remove.error)}
        </p>
      ) : null}
      {canRemove ? (
        <ConfirmDialog
          open={target !== null}
          testId="remove-factor-dialog"
          title={`Remove ${target ? factorName(target) : "factor"}?`}
          description={<p>{name} will sign in without a code from it. Do this when they have lost the device and proved who they are.</p>}
          confirmLabel="Remove factor"
          onCancel={() => setTarget(null)}
          onConfirm={() => {
            const factor = target;
            if (!factor) return;
            const parsed = removeFactorBody.safeParse({ factorId: factor.id, reason });
            if (!parsed.success) {
              setProblem(reasonProblem(parsed.error.issues[0]?.message));
              document.getElementById(reasonId)?.focus();
              return;
            }
            setTarget(null);
            remove.mutate({ factor, ...(parsed.data.reason ? { reason: parsed.data.reason } : {}) });
          }}
        >
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
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
              onChange={(e) => {
                setReason(e.target.value);
                if (problem) setProblem(null);
              }}
              className="rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 aria-invalid:border-red-600"
            />
            {problem ? (
              <p id={problemId} className="text-sm text-red-700">
                {problem}
              </p>
            ) : null}
          </div>
        </ConfirmDialog>
      ) : null}
    </UserSection>
  );
}
