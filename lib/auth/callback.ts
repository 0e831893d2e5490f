import "server-only";
import { isAuthRetryableFetchError } from "@supabase/supabase-js";
import { createClient } from "../supabase/server";

export type CallbackOutcome =
  | { ok: true }
  | { ok: false; reason: "cancelled" | "failed" | "banned" | "unavailable" | "sign_in_required" };

/** What a provider answers a `prompt=none` sign-in it cannot complete without showing a page. */
const INTERACTION_NEEDED = new Set(["login_required", "interaction_required", "consent_required", "account_selection_required"]);

/** Maps the Auth server's redirect parameters and the code exchange to one outcome for the login page. */
export async function completeOAuthSignIn(params: URLSearchParams): Promise<CallbackOutcome> {
  const error = params.get("error");
  if (error) {
    const code = params.get("error_code");
    if (code === "user_banned") return { ok: false, reason: "banned" };
    if (error === "access_denied" || error === "user_cancelled_authorize") return { ok: false, reason: "cancelled" };
    if (INTERACTION_NEEDED.has(error)) return { ok: false, reason: "sign_in_required" };
    return { ok: false, reason: "failed" };
  }
  const code = params.get("code");
  if (!code) return { ok: false, reason: "failed" };
  const supabase = await createClient();
  try {
    const { error: exchangeError } = await supabase.auth.exchangeCodeForSession(code);
    if (!exchangeError) return { ok: true };
    if (isAuthRetryableFetchError(exchangeError)) return { ok: false, reason: "unavailable" };
    return { ok: false, reason: "failed" };
  } catch {
    return { ok: false, reason: "unavailable" };
  }
}
