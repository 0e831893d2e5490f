import { z } from "zod";

/** The input of Delete account, shared by the form (client) and the route handler (server). */

/** What the person types to confirm: a deliberate act, the same for every account and language of email. */
export const DELETE_CONFIRMATION = "DELETE";

/** The field's length limit: anything longer cannot be the word and is refused before it is compared. */
export const CONFIRMATION_MAX = 64;

const CONTROL = /[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** What is wrong with the typed confirmation, or null. */
export function confirmationProblem(raw: string): string | null {
  if (raw.length > CONFIRMATION_MAX) return `Type ${DELETE_CONFIRMATION} (at most ${CONFIRMATION_MAX} characters)`;
  if (CONTROL.test(raw)) return "Remove control characters such as tabs or line breaks";
  if (raw.trim() !== DELETE_CONFIRMATION) return `Type ${DELETE_CONFIRMATION} in capital letters to confirm`;
  return null;
}

function objectError(issue: { code: string; keys?: string[] }): string | undefined {
  if (issue.code === "unrecognized_keys") return `Unknown field${(issue.keys?.length ?? 0) > 1 ? "s" : ""}: ${issue.keys?.join(", ")}`;
  if (issue.code === "invalid_type") return "Send a JSON object";
  return undefined;
}

export const deleteAccountInput = z.strictObject(
  {
    confirmation: z.string({ error: `Type ${DELETE_CONFIRMATION} to confirm` }).superRefine((value, ctx) => {
      const problem = confirmationProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  },
  { error: objectError },
);

export type DeleteAccountInput = z.input<typeof deleteAccountInput>;
