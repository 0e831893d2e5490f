import { z } from "zod";
import { optionalReason, plainText, userIdSchema } from "./admin-input";

/**
 * POST /api/admin/users/[id]/delete. `confirmEmail` must be the user's email (any case): Postgres compares it,
 * a form can compare it first to enable its button (`confirmsEmail`).
 */
export const deleteUserBody = z.strictObject({
  confirmEmail: z
    .string()
    .trim()
    .min(1, { error: "type the user's email address to confirm" })
    .pipe(plainText(320)),
  reason: optionalReason,
});
export const deleteUserInput = deleteUserBody.extend({ userId: userIdSchema });
export type DeleteUserBody = z.input<typeof deleteUserBody>;

export function confirmsEmail(typed: string, email: string | null | undefined): boolean {
  return !!email && typed.trim().toLowerCase() === email.toLowerCase();
}
