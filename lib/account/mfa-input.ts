import { z } from "zod";
import { normalizeTotpCode } from "../auth/aal";
import { characterCount, CONTROL, LONE_SURROGATE, MARKUP } from "./profile-input";

/**
 * The two-factor routes' input schemas, one each, used by the Two-factor section in the browser (inline
 * errors before anything is sent) and by the route handlers (lib/account/mfa.ts). Unknown fields are refused.
 */

export const FACTOR_NAME_MAX = 60;

/** What is wrong with an authenticator's name as typed, or null: the display name's rules, 60 characters. */
export function factorNameProblem(raw: string): string | null {
  if (LONE_SURROGATE.test(raw)) return "The name contains text that is not valid Unicode; retype the characters that look wrong";
  const value = raw.trim();
  if (value === "") return "Give the authenticator a name";
  if (CONTROL.test(value)) return "Remove control characters such as tabs, line breaks or text-direction marks";
  if (MARKUP.test(value)) return "A name cannot contain < or >";
  if (characterCount(value) > FACTOR_NAME_MAX) return `Keep the name under ${FACTOR_NAME_MAX} characters`;
  return null;
}

export const factorName = z
  .string({ error: "Give the authenticator a name" })
  .superRefine((value, ctx) => {
    const problem = factorNameProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => value.trim().normalize("NFC"));

const code = z.string().max(32).transform((value, ctx) => {
  const normalized = normalizeTotpCode(value);
  if (normalized === null) {
    ctx.addIssue({ code: "custom", message: "Enter the 6-digit code from your authenticator app" });
    return z.NEVER;
  }
  return normalized;
});

export const enrolInput = z.object({ name: factorName }).strict();
export const verifyEnrolmentInput = z.object({ factorId: z.uuid(), code }).strict();
export const removeFactorInput = z.object({ factorId: z.uuid() }).strict();
export const promptInput = z.object({ code, next: z.string().max(2048).optional() }).strict();
