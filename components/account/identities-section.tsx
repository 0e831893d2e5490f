"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { IDENTITIES_PATH, PROVIDER_LABELS, type LinkNotice } from "@/lib/account/identity-input";
import type { AccountIdentity } from "@/lib/account/list-identities";
import { formatWhen } from "@/lib/account/session-labels";
import { isProvider, PROVIDERS, type Provider } from "@/lib/auth/providers";
import type { StepUpRequirement } from "@/lib/auth/step-up-requirement";
import { StepUpPrompt } from "../account-data/step-up-prompt";
import { Button } from "../ui/button";
import { call, failureMessage, RequestError } from "./request";

const IDENTITIES_KEY = ["account", "identities"] as const;

const fetchIdentities = async () => (await call<{ identities: AccountIdentity[] }>("/api/account/identities")).identities;

const startLink = (provider: Provider) => call<{ url: string }>("/api/account/identities/link", { method: "POST", body: JSON.stringify({ provider }) });

const unlink = (identityId: string) =>
  call<{ identityId: string; provider: string }>("/api/account/identities/unlink", { method: "POST", body: JSON.stringify({ identityId }) });

const label = (provider: string) => (isProvider(provider) ? PROVIDER_LABELS[provider] : provider);

/**
 * The Linked identities section. Linking sends the browser to the provider (the URL comes from the app's
 * own route; the Auth server brings the person back here with the outcome). Unlinking is a sensitive action:
 * without step-up the server answers `step_up_required` and the prompt offers a fresh sign-in.
 */
export function IdentitiesSection({ initial, notice: initialNotice }: { initial: AccountIdentity[]; notice: LinkNotice | null }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: IDENTITIES_KEY, queryFn: fetchIdentities, initialData: initial });
  const [notice, setNotice] = useState<LinkNotice | null>(initialNotice);
  const [stepUp, setStepUp] = useState<StepUpRequirement | null>(null);
  const identities = query.data;
  const linked = new Set(identities.map((i) => i.provider));
  const linkable = PROVIDERS.filter((p) => !linked.has(p));
  const signInProviders = PROVIDERS.filter((p) => linked.has(p));

  const linkMutation = useMutation({
    mutationFn: startLink,
    onMutate: () => setNotice(null),
    onSuccess: (result) => window.location.assign(result.url),
    onError: (error, provider) => setNotice({ kind: "alert", text: `${PROVIDER_LABELS[provider]} was not linked. ${failureMessage(error)}` }),
  });
  const unlinkMutation = useMutation({
    mutationFn: (identity: AccountIdentity) => unlink(identity.id),
    onMutate: async (identity) => {
      setNotice(null);
      await queryClient.cancelQueries({ queryKey: IDENTITIES_KEY });
      const previous = queryClient.getQueryData<AccountIdentity[]>(IDENTITIES_KEY);
      if (previous) queryClient.setQueryData<AccountIdentity[]>(IDENTITIES_KEY, previous.filter((i) => i.id !== identity.id));
      return { previous };
    },
    onError: (error, identity, context) => {
      if (context?.previous) queryClient.setQueryData(IDENTITIES_KEY, context.previous);
      setNotice({ kind: "alert", text: `${label(identity.provider)} was not unlinked. ${failureMessage(error)}` });
      if (error instanceof RequestError && error.code === "step_up_required") setStepUp(error.requirement ?? "recent_sign_in");
    },
    onSuccess: (_result, identity) => {
      setStepUp(null);
      setNotice({ kind: "status", text: `${label(identity.provider)} is no longer linked.` });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: IDENTITIES_KEY }),
  });
  const busy = linkMutation.isPending || unlinkMutation.isPending;

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
      <p role={notice?.kind === "alert" ? "alert" : "status"} data-testid="identities-notice" className={`text-sm ${notice?.kind === "alert" ? "text-red-700" : "text-emerald-700"}`}>
        {notice?.text ?? ""}
      </p>
      {identities.length === 0 ? (
        <p className="text-sm text-zinc-600">No identity is linked.</p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Linked identities" data-testid="identity-list">
          {identities.map((identity) => (
            <li key={identity.id} data-testid="identity" data-provider={identity.provider} className="rounded-lg border border-zinc-200 p-4">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="font-medium">{label(identity.provider)}</p>
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    <dt className="text-zinc-600">Email</dt>
                    <dd className="break-all">{identity.email ?? "—"}</dd>
                    <dt className="text-zinc-600">Linked</dt>
                    <dd>{identity.linkedAt ? formatWhen(identity.linkedAt) : "—"}</dd>
                  </dl>
                </div>
                <Button
                  type="button"
                  variant="secondary"
                  className="w-auto"
                  disabled={busy}
                  aria-label={`Unlink ${label(identity.provider)}${identity.email ? ` (${identity.email})` : ""}`}
                  onClick={() => unlinkMutation.mutate(identity)}
                >
                  Unlink
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {linkable.length > 0 ? (
        <div className="flex flex-wrap gap-3">
          {linkable.map((provider) => (
            <Button key={provider} type="button" className="w-auto" disabled={busy} onClick={() => linkMutation.mutate(provider)}>
              Link {PROVIDER_LABELS[provider]}
            </Button>
          ))}
        </div>
      ) : null}
      {stepUp ? <StepUpPrompt requirement={stepUp} next={IDENTITIES_PATH} providers={signInProviders} /> : null}
    </div>
  );
}
