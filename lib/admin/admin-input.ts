import { z } from "zod";

/**
 * Pieces shared by the input schemas of the admin writes (`*-input.ts`), which the browser and the server
 * both use: no `server-only` here.
 */

// Control characters (C0, DEL, C1) and lone surrogates: never part of a name or a reason.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A free text of 1 to `max` characters (code points) after trimming, one line, no control characters. */
export function plainText(max: number) {
  return z
    .string()
    .trim()
    .min(1, { error: "must not be empty" })
    .refine((s) => Array.from(s).length <= max, { error: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { error: "must not contain control characters" })
    .refine((s) => !LONE_SURROGATE.test(s), { error: "must be valid text" });
}

/** Why the admin acts: recorded in the audit row. */
export const reasonSchema = plainText(500);

/** An optional reason; an empty string is the same as none. */
export const optionalReason = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === "" ? undefined : s))
  .pipe(reasonSchema.optional());

/** The user the admin acts on: the `[id]` of the route. */
export const userIdSchema = z.uuid({ error: "must be a user id" });
