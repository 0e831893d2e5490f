"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { confirmationProblem, DELETE_CONFIRMATION, CONFIRMATION_MAX } from "@/lib/account/delete-account-input";
import type { Provider } from "@/lib/auth/providers";
import type { StepUpRequirement, StepUpState } from "@/lib/auth/step-up-requirement";
import { Button } from "../ui/button";
import { ActionError, failureText, postJson } from "./request";
import { StepUpPrompt } from "./step-up-prompt";

/**
 * Delete account: the typed confirmation, checked here with the server's own rule and again by the server.
 * A session that needs step-up is shown the prompt first (from the server render, or from the server's
 * `step_up_required` answer); a deleted account goes to the goodbye page, signed out.
 */
export function DeleteAccountForm({ email, stepUp, providers }: { email: string; stepUp: StepUpState | null; providers: readonly Provider[] }) {
  const router = useRouter();
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const [value, setValue] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [needsStepUp, setNeedsStepUp] = useState<StepUpRequirement | null>(stepUp && !stepUp.satisfied ? stepUp.required : null);

  const mutation = useMutation({
    mutationFn: async (confirmation: string) => {
      await postJson("/api/account/delete", { confirmation });
    },
    onMutate: () => {
      setAlert(null);
      setStatus("Deleting your account…");
    },
    onSuccess: () => {
      setStatus("Your account has been deleted. Signing you out…");
      // The session cookies are already cleared by the answer.
      router.replace("/goodbye");
    },
    onError: (error) => {
      setStatus(null);
      if (error instanceof ActionError && error.code === "step_up_required") {
        setNeedsStepUp(error.requirement ?? "recent_sign_in");
        setAlert(error.message);
      } else if (error instanceof ActionError && error.code === "invalid_input") {
        setFieldError(error.message.replace(/^confirmation: /, ""));
      } else {
        setAlert(`Your account was not deleted. ${failureText(error)}`);
      }
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = confirmationProblem(value);
    setFieldError(problem);
    if (problem) return;
    mutation.mutate(value);
  };

  return (
    <div className="flex flex-col gap-5">
      <div className="text-sm text-zinc-700">
        <p>
          Deleting the account signed in as <strong className="break-all">{email}</strong> removes, for good, your profile, your linked
          Google and Apple sign-ins, your two-factor settings and every session: you are signed out on all your devices.
        </p>
        <p className="mt-2">A record that an account was deleted is kept, without your name, email or addresses. Signing in again later creates a new, empty account.</p>
      </div>
      {needsStepUp ? <StepUpPrompt requirement={needsStepUp} next="/account/delete" providers={providers} /> : null}
      <form onSubmit={submit} noValidate className="flex flex-col gap-3" aria-label="Delete account">
        <label htmlFor={inputId} className="text-sm font-medium">
          Type {DELETE_CONFIRMATION} to confirm
        </label>
        <p id={hintId} className="text-xs text-zinc-600">
          In capital letters. This cannot be undone.
        </p>
        <input
          id={inputId}
          name="confirmation"
          type="text"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={CONFIRMATION_MAX * 2}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (fieldError) setFieldError(null);
          }}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${hintId} ${errorId}` : hintId}
          className="w-full rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 aria-[invalid=true]:border-red-600 sm:max-w-xs"
        />
        {fieldError ? (
          <p id={errorId} className="text-sm text-red-700">
            {fieldError}
          </p>
        ) : null}
        <Button type="submit" variant="danger" className="sm:w-auto sm:self-start" disabled={mutation.isPending}>
          {mutation.isPending ? "Deleting…" : "Delete my account"}
        </Button>
      </form>
      <p role="status" aria-live="polite" className="text-sm text-zinc-700" data-testid="delete-status">
        {status}
      </p>
      {alert ? (
        <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="delete-alert">
          {alert}
        </p>
      ) : null}
    </div>
  );
}
