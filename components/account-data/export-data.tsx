"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { Provider } from "@/lib/auth/providers";
import type { StepUpRequirement, StepUpState } from "@/lib/auth/step-up-requirement";
import { Button } from "../ui/button";
import { ActionError, failureText, postJson } from "./request";
import { StepUpPrompt } from "./step-up-prompt";

/** The file name the server gave the download, or a sensible one. */
function fileName(res: Response): string {
  const match = /filename="([\w.-]+)"/.exec(res.headers.get("content-disposition") ?? "");
  return match?.[1] ?? "account-export.json";
}

/** Hands a downloaded document to the browser as a file. */
function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type Notice = { kind: "status" | "alert"; text: string } | null;

/**
 * Export my data: one button that downloads the JSON document. The server decides everything (step-up, the
 * limit of 3 an hour); this shows its answer: the step-up prompt, the time to wait, or the saved file.
 */
export function ExportData({
  stepUp,
  providers,
  recentExports,
  perHour,
}: {
  stepUp: StepUpState | null;
  providers: readonly Provider[];
  recentExports: number;
  perHour: number;
}) {
  const [used, setUsed] = useState(recentExports);
  const [notice, setNotice] = useState<Notice>(null);
  const [needsStepUp, setNeedsStepUp] = useState<StepUpRequirement | null>(stepUp && !stepUp.satisfied ? stepUp.required : null);

  const mutation = useMutation({
    mutationFn: async () => {
      const res = await postJson("/api/account/export", {});
      const name = fileName(res);
      const blob = await res.blob().catch(() => {
        throw new ActionError("network", "The download was interrupted. Please try again.");
      });
      saveFile(blob, name);
      return name;
    },
    onMutate: () => setNotice({ kind: "status", text: "Preparing your data…" }),
    onSuccess: (name) => {
      setUsed((n) => n + 1);
      setNotice({ kind: "status", text: `Your data was downloaded as ${name}.` });
    },
    onError: (error) => {
      if (error instanceof ActionError && error.code === "step_up_required") setNeedsStepUp(error.requirement ?? "recent_sign_in");
      if (error instanceof ActionError && error.code === "rate_limited") setUsed(perHour);
      setNotice({ kind: "alert", text: failureText(error) });
    },
  });

  const left = Math.max(0, perHour - used);
  return (
    <div className="flex flex-col gap-5">
      <div className="text-sm text-zinc-700">
        <p>
          Download everything this app holds about you as a JSON file: your profile, linked sign-in accounts, role, active sessions and
          security activity.
        </p>
        <p className="mt-2" data-testid="exports-left">
          You can export {perHour} times an hour; {left} {left === 1 ? "export is" : "exports are"} left in this hour.
        </p>
      </div>
      {needsStepUp ? <StepUpPrompt requirement={needsStepUp} next="/account/export" providers={providers} /> : null}
      <Button type="button" className="sm:w-auto sm:self-start" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        {mutation.isPending ? "Preparing…" : "Download my data"}
      </Button>
      <p role="status" aria-live="polite" className="text-sm text-zinc-700" data-testid="export-status">
        {notice?.kind === "status" ? notice.text : null}
      </p>
      {notice?.kind === "alert" ? (
        <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="export-alert">
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}
