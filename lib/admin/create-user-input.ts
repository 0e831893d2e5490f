import { z } from "zod";
import { ROLES } from "../auth/permissions";
import { plainText } from "./admin-input";

/**
 * POST /api/admin/users: the person then signs in with Google or Apple under this email, which lands on
 * this user (the Auth server links a verified provider email to the existing confirmed user).
 */
export const createUserBody = z.strictObject({
  email: z
    .string()
    .trim()
    .max(320, { error: "must be at most 320 characters" })
    .pipe(z.email({ error: "must be an email address" }))
    .transform((e) => e.toLowerCase()),
  name: plainText(100).refine((s) => !/[<>]/.test(s), { error: "must not contain < or >" }),
  role: z.enum(ROLES),
});
export type CreateUserBody = z.input<typeof createUserBody>;
