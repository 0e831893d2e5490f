import { z } from "zod";
import { PROVIDERS, type Provider } from "../auth/providers";

/** Link a provider to the signed-in account (POST /api/account/identities/link). */
export const linkIdentityInput = z.object({ provider: z.enum(PROVIDERS) }).strict();

/** Unlink one of the caller's identities, by its row id (POST /api/account/identities/unlink). */
export const unlinkIdentityInput = z.object({ identityId: z.uuid() }).strict();

export const PROVIDER_LABELS: Record<Provider, string> = { google: "Google", apple: "Apple" };

/** What the provider calls the person's account there, for messages. */
const ACCOUNT_NAMES: Record<Provider, string> = { google: "Google account", apple: "Apple ID" };

/** Why a link did not happen, as the callback reports it to the identities page (`?link_error=`). */
export const LINK_ERRORS = ["identity_already_exists", "cancelled", "failed"] as const;
export type LinkError = (typeof LINK_ERRORS)[number];

export type LinkNotice = { kind: "status" | "alert"; text: string };

/** The page where the link flow ends, and the query it reads. */
export const IDENTITIES_PATH = "/account/identities";

/**
 * The message of the identities page for the query the callback sent it to (`?linked=apple` or
 * `?link_error=identity_already_exists&provider=apple`). Only known values are shown; anything else is none.
 */
export function linkNotice(params: { linked?: unknown; link_error?: unknown; provider?: unknown }): LinkNotice | null {
  const linked = PROVIDERS.find((p) => p === params.linked);
  if (linked) return { kind: "status", text: `${PROVIDER_LABELS[linked]} is now linked: you can sign in with it.` };
  const error = LINK_ERRORS.find((e) => e === params.link_error);
  if (!error) return null;
  const provider = PROVIDERS.find((p) => p === params.provider);
  const account = provider ? ACCOUNT_NAMES[provider] : "account";
  switch (error) {
    case "identity_already_exists":
      return { kind: "alert", text: `That ${account} already belongs to another account. Sign in with it to use that account, or link a different one.` };
    case "cancelled":
      return { kind: "alert", text: `Linking was cancelled: nothing changed.` };
    case "failed":
      return { kind: "alert", text: `That ${account} could not be linked. Please try again.` };
  }
}

/**
 * The identities page's query for the Auth server's answer at the callback: its `error_code` says when the
 * identity belongs to another user (sent as `error=server_error`, which says nothing by itself).
 */
export function linkErrorFromCallback(params: URLSearchParams): LinkError | null {
  const error = params.get("error");
  if (!error) return null;
  if (params.get("error_code") === "identity_already_exists") return "identity_already_exists";
  if (error === "access_denied" || error === "user_cancelled_authorize") return "cancelled";
  return "failed";
}
