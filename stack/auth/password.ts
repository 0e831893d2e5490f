import type { AuthConfig } from "./config.ts";
import { AuthError, validationFailed } from "./errors.ts";

/** bcrypt reads at most 72 bytes; a longer password is refused rather than silently cut. */
export const MAX_PASSWORD_LENGTH = 72;

export type WeakPassword = { message: string; reasons: string[] };

/**
 * The password strength rules: too long is a plain validation error; too short or missing a required kind of
 * character is a weakness, reported with its reasons (`length`, `characters`). Returns null for a strong one.
 */
export function passwordWeakness(config: Pick<AuthConfig, "password">, password: string): WeakPassword | null {
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_LENGTH) {
    throw validationFailed(`Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  // Go's len() counts bytes: a multi-byte character counts more than once towards the minimum.
  if (Buffer.byteLength(password, "utf8") < config.password.minLength) {
    reasons.push("length");
    messages.push(`Password should be at least ${config.password.minLength} characters.`);
  }
  const sets = config.password.requiredCharacters;
  if (sets.some((set) => set !== "" && ![...set].some((ch) => password.includes(ch)))) {
    reasons.push("characters");
    messages.push(`Password should contain at least one character of each: ${sets.join(", ")}.`);
  }
  return reasons.length > 0 ? { message: messages.join(" "), reasons } : null;
}

/** A weak password refused: 422 `weak_password` with its reasons in the body, and no `x-sb-error-code`. */
export function weakPasswordError(weak: WeakPassword): AuthError {
  return new AuthError(422, "weak_password", weak.message, {
    extra: { weak_password: { reasons: weak.reasons } },
    codeHeader: false,
  });
}

/** Throws when the password may not be set. */
export function assertStrongPassword(config: Pick<AuthConfig, "password">, password: string): void {
  const weak = passwordWeakness(config, password);
  if (weak) throw weakPasswordError(weak);
}
