import type { Provider } from "./providers";
import { safeNextPath } from "./redirect";

/**
 * What a sensitive action needs besides a signed-in session (the step-up rule of
 * supabase/migrations/20261205300000_step_up.sql), shared by the server and the account pages:
 * - `aal2`: the user has a verified factor and this session has not given a code;
 * - `recent_sign_in`: no factor, and this session's provider sign-in is more than 10 minutes old.
 */
export type StepUpRequirement = "aal2" | "recent_sign_in";

/** The caller's step-up state, as private.my_step_up() answers it. */
export type StepUpState = {
  required: StepUpRequirement;
  satisfied: boolean;
  /** Until when a recent sign-in keeps counting (ISO); null for aal2 or when there is no sign-in time. */
  validUntil: string | null;
};

/** How long a provider sign-in counts as recent, in minutes (the SQL rule's interval). */
export const RECENT_SIGN_IN_MINUTES = 10;

export function isStepUpRequirement(value: unknown): value is StepUpRequirement {
  return value === "aal2" || value === "recent_sign_in";
}

/** What the person is told when an action needs step-up. */
export function stepUpMessage(requirement: StepUpRequirement): string {
  return requirement === "aal2"
    ? "Confirm it's you: enter a code from your authenticator app first"
    : `Confirm it's you: sign in with your provider again (a sign-in from the last ${RECENT_SIGN_IN_MINUTES} minutes is needed)`;
}

/**
 * The sign-in form (POST /auth/sign-in) that re-authenticates for a sensitive action and brings the person
 * back to it: `next` through the one redirect validator (the account pages are on its allowlist; anything
 * else falls back to /account). Google is asked to show its consent page again (`prompt=consent`) so that
 * the person confirms with the account they are using rather than passing through silently; Apple always
 * shows its sign-in page.
 */
export function reauthenticationForm(provider: Provider, next: string): { provider: Provider; next: string; prompt: "consent" | null } {
  return { provider, next: safeNextPath(next, "/account"), prompt: provider === "google" ? "consent" : null };
}
