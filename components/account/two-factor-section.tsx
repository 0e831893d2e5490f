"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { AccountFactor, Enrolment } from "@/lib/account/mfa";
import { FACTOR_NAME_MAX, factorNameProblem } from "@/lib/account/mfa-input";
import { formatWhen } from "@/lib/account/session-labels";
import type { Provider } from "@/lib/auth/providers";
import type { StepUpRequirement } from "@/lib/auth/step-up-requirement";
import { StepUpPrompt } from "../account-data/step-up-prompt";
import { Button } from "../ui/button";
import { call, failureMessage, RequestError } from "./request";

const FACTORS_KEY = ["account", "factors"] as const;

const fetchFactors = async () => (await call<{ factors: AccountFactor[] }>("/api/account/mfa")).factors;
const enrol = async (name: string) => (await call<{ enrolment: Enrolment }>("/api/account/mfa/enroll", { method: "POST", body: JSON.stringify({ name }) })).enrolment;
const verify = (factorId: string, code: string) => call<{ factorId: string }>("/api/account/mfa/verify", { method: "POST", body: JSON.stringify({ factorId, code }) });
const remove = (factorId: string) => call<{ factorId: string }>("/api/account/mfa/remove", { method: "POST", body: JSON.stringify({ factorId }) });

type Notice = { kind: "status" | "alert"; text: string } | null;

const inputClass =
  "mt-1 block w-full rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:border-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900";

/**
 * The Two-factor authentication section: the user's authenticator apps; add one (name it, scan the QR code
 * or type the secret, confirm a first code); remove one (a sensitive action: step-up).
 */
export function TwoFactorSection({
  initial,
  providers,
  next = null,
}: {
  initial: AccountFactor[];
  providers: readonly Provider[];
  /** Where the person was sent from to turn two-factor on (an allowlisted path), offered once it is on. */
  next?: string | null;
}) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: FACTORS_KEY, queryFn: fetchFactors, initialData: initial });
  const factors = query.data.filter((f) => f.verified);
  const [notice, setNotice] = useState<Notice>(null);
  const [stepUp, setStepUp] = useState<StepUpRequirement | null>(null);
  const [name, setName] = useState("Authenticator app");
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [pending, setPending] = useState<Enrolment | null>(null);
  const [enabled, setEnabled] = useState(false);
  const ids = { name: useId(), nameError: useId(), code: useId(), codeError: useId() };
  const refresh = () => queryClient.invalidateQueries({ queryKey: FACTORS_KEY });

  const enrolMutation = useMutation({
    mutationFn: enrol,
    onMutate: () => setNotice(null),
    onSuccess: (enrolment) => {
      setPending(enrolment);
      setCode("");
      setCodeError(null);
    },
    onError: (error) => {
      // A refusal of the name is shown at the field, with what was typed kept.
      if (error instanceof RequestError && error.code === "invalid_input") setNameError(error.message);
      else setNotice({ kind: "alert", text: `The authenticator could not be added. ${failureMessage(error)}` });
    },
  });
  const verifyMutation = useMutation({
    mutationFn: ({ factorId, code: c }: { factorId: string; code: string }) => verify(factorId, c),
    onMutate: () => setCodeError(null),
    onSuccess: () => {
      setNotice({ kind: "status", text: `${pending?.name ?? "The authenticator"} is on. Signing in now also asks for a code.` });
      setPending(null);
      setCode("");
      setEnabled(true);
    },
    onError: (error) => setCodeError(failureMessage(error)),
    onSettled: refresh,
  });
  const removeMutation = useMutation({
    mutationFn: (factor: AccountFactor) => remove(factor.id),
    // Gone from the list at once; put back if the server refuses.
    onMutate: async (factor) => {
      setNotice(null);
      await queryClient.cancelQueries({ queryKey: FACTORS_KEY });
      const previous = queryClient.getQueryData<AccountFactor[]>(FACTORS_KEY);
      if (previous) queryClient.setQueryData<AccountFactor[]>(FACTORS_KEY, previous.filter((f) => f.id !== factor.id));
      return { previous };
    },
    onSuccess: (_r, factor) => {
      setStepUp(null);
      setNotice({ kind: "status", text: `${factor.name} was removed.` });
    },
    onError: (error, factor, context) => {
      if (context?.previous) queryClient.setQueryData(FACTORS_KEY, context.previous);
      setNotice({ kind: "alert", text: `${factor.name} was not removed. ${failureMessage(error)}` });
      if (error instanceof RequestError && error.code === "step_up_required") setStepUp(error.requirement ?? "aal2");
    },
    onSettled: refresh,
  });
  const busy = enrolMutation.isPending || verifyMutation.isPending || removeMutation.isPending;

  return (
    <div className="flex flex-col gap-6">
      {factors.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="no-factors">
          Two-factor authentication is off: signing in needs only your Google or Apple account.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Authenticator apps" data-testid="factor-list">
          {factors.map((factor) => (
            <li key={factor.id} data-testid="factor" data-factor-id={factor.id} className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-zinc-200 p-4">
              <div className="min-w-0">
                <p className="font-medium break-words">{factor.name}</p>
                <p className="text-sm text-zinc-600">Added {formatWhen(factor.createdAt)}</p>
              </div>
              <Button type="button" variant="secondary" className="w-auto" disabled={busy} aria-label={`Remove ${factor.name}`} onClick={() => removeMutation.mutate(factor)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}

      {pending ? (
        <form
          className="flex flex-col gap-4 rounded-lg border border-zinc-200 p-4"
          aria-labelledby={`${ids.code}-title`}
          onSubmit={(event) => {
            event.preventDefault();
            verifyMutation.mutate({ factorId: pending.factorId, code });
          }}
        >
          <h2 id={`${ids.code}-title`} className="font-semibold">
            Scan the QR code with your authenticator app
          </h2>
          {/* A data: URI of the Auth server's SVG, shown as an image: its markup is never put in the page. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={pending.qrCode} alt="QR code to add this account to your authenticator app" width={200} height={200} className="h-48 w-48 bg-white" data-testid="totp-qr" />
          <p className="text-sm">
            Or type this key into the app:{" "}
            <code data-testid="totp-secret" className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono break-all">
              {pending.secret}
            </code>
          </p>
          <div>
            <label htmlFor={ids.code} className="text-sm font-medium">
              Code from the app
            </label>
            <input
              id={ids.code}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={10}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-invalid={codeError ? true : undefined}
              aria-describedby={codeError ? ids.codeError : undefined}
              className={inputClass}
            />
            {codeError ? (
              <p id={ids.codeError} role="alert" data-testid="enrol-code-error" className="mt-1 text-sm text-red-700">
                {codeError}
              </p>
            ) : null}
          </div>
          <div className="flex flex-col gap-2 sm:flex-row">
            <Button type="submit" className="sm:w-auto" disabled={busy}>
              Turn on
            </Button>
            <Button type="button" variant="secondary" className="sm:w-auto" disabled={busy} onClick={() => setPending(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <form
          className="flex flex-col gap-3 sm:flex-row sm:items-end"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            const problem = factorNameProblem(name);
            setNameError(problem);
            if (problem === null) enrolMutation.mutate(name);
          }}
        >
          <div className="flex-1">
            <label htmlFor={ids.name} className="text-sm font-medium">
              Name for the authenticator
            </label>
            <input
              id={ids.name}
              name="name"
              maxLength={FACTOR_NAME_MAX * 2}
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? ids.nameError : undefined}
              className={inputClass}
            />
            {nameError ? (
              <p id={ids.nameError} role="alert" data-testid="enrol-name-error" className="mt-1 text-sm text-red-700">
                {nameError}
              </p>
            ) : null}
          </div>
          <Button type="submit" className="sm:w-auto" disabled={busy}>
            {factors.length === 0 ? "Add an authenticator app" : "Add another authenticator app"}
          </Button>
        </form>
      )}

      {next && enabled && factors.length > 0 ? (
        <a href={next} data-testid="mfa-continue" className="self-start text-sm font-medium underline underline-offset-4 focus-visible:outline-2 focus-visible:outline-offset-2">
          Continue where you were
        </a>
      ) : null}
      {stepUp ? <StepUpPrompt requirement={stepUp} next="/account/two-factor" providers={providers} /> : null}
      <p role={notice?.kind === "alert" ? "alert" : "status"} data-testid="mfa-notice" className={`text-sm ${notice?.kind === "alert" ? "text-red-700" : "text-emerald-700"}`}>
        {notice?.text ?? ""}
      </p>
    </div>
  );
}
