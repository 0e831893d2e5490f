/** What the login page says for each `error` / `reason` it is sent with; unknown values say nothing. */
const MESSAGES: Record<string, string> = {
  cancelled: "Sign-in was cancelled. You can try again whenever you are ready.",
  failed: "We couldn't sign you in. The sign-in link may have expired — please try again.",
  banned: "This account is suspended. Contact support if you think this is a mistake.",
  provider: "That sign-in method is not available.",
  invalid_request: "That sign-in request was not valid. Please try again.",
  sign_in_required: "You are not signed in with Google in this browser yet. Continue with Google to choose an account.",
  session_expired: "Your session has ended. Please sign in again.",
  signed_out: "You have been signed out.",
};

export function loginMessage(params: { error?: string; reason?: string; signed_out?: string }): string | null {
  const key = params.error ?? params.reason ?? (params.signed_out ? "signed_out" : undefined);
  return key ? (MESSAGES[key] ?? null) : null;
}
