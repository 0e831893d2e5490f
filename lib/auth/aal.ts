/**
 * The second-factor rule at sign-in. A user with a verified factor is fully signed in only once this
 * session has given a code: both the token's `aal` claim and the session's level recorded by the Auth
 * server must be aal2 (or aal3). Anything else — a missing claim, an unknown level, a session row without
 * a level — counts as not yet verified.
 */
export type AalFacts = {
  /** Whether the user has at least one verified factor. */
  hasVerifiedFactor: boolean;
  /** The verified access token's `aal` claim. */
  tokenAal: unknown;
  /** auth.sessions.aal of the token's session, or null when unknown. */
  sessionAal: string | null;
};

const STRONG = new Set(["aal2", "aal3"]);

/** True when the session still owes a second-factor code (only the code prompt and sign-out are open). */
export function mfaPending(facts: AalFacts): boolean {
  if (!facts.hasVerifiedFactor) return false;
  const tokenStrong = typeof facts.tokenAal === "string" && STRONG.has(facts.tokenAal);
  const sessionStrong = facts.sessionAal !== null && STRONG.has(facts.sessionAal);
  return !(tokenStrong && sessionStrong);
}

/** The code prompt of a pending session, coming back to `next` once the code is accepted. */
export const MFA_PROMPT_PATH = "/auth/mfa";

export function mfaPromptUrl(next: string): string {
  return `${MFA_PROMPT_PATH}?next=${encodeURIComponent(next)}`;
}

/** A TOTP code as typed: six digits, spaces ignored. Null when it cannot be one. */
export function normalizeTotpCode(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 32) return null;
  const code = input.replace(/\s+/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}
