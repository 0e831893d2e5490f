import { z } from "zod";

/** The inputs of the Profile section, shared by the form (client) and the route handlers (server). */

export const DISPLAY_NAME_MAX = 80;
export const AVATAR_URL_MAX = 2048;

/** C0 and C1 controls and DEL, line and paragraph separators, and the bidi embeddings, overrides and isolates. */
export const CONTROL = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** A lone surrogate: text that no UTF-8 encoding can represent. */
export const LONE_SURROGATE = /\p{Cs}/u;
export const MARKUP = /[<>]/;

/** Length as a person counts it roughly, and as Postgres's char_length() does: code points, not UTF-16 units. */
export function characterCount(value: string): number {
  return Array.from(value).length;
}

/**
 * What is wrong with a display name as typed, or null. The first problem only, in the order a person would
 * fix them. Names are stored as text and always rendered escaped; `<` and `>` are refused anyway, so that a
 * name never looks like markup wherever else it is shown (emails, exports, other apps).
 */
export function displayNameProblem(raw: string): string | null {
  if (LONE_SURROGATE.test(raw)) return "The name contains text that is not valid Unicode; retype the characters that look wrong";
  const value = raw.trim();
  if (value === "") return "Enter a display name";
  if (CONTROL.test(value)) return "Remove control characters such as tabs, line breaks or text-direction marks";
  if (MARKUP.test(value)) return "A display name cannot contain < or >";
  const count = characterCount(value);
  if (count > DISPLAY_NAME_MAX) return `Use at most ${DISPLAY_NAME_MAX} characters (this has ${count})`;
  return null;
}

export const displayNameSchema = z
  .string({ error: "Enter a display name" })
  .superRefine((value, ctx) => {
    const problem = displayNameProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => value.trim().normalize("NFC"));

/** Object-level messages: a body that is not an object, or one with fields the route does not take. */
function objectError(issue: { code: string; keys?: string[] }): string | undefined {
  if (issue.code === "unrecognized_keys") return `Unknown field${(issue.keys?.length ?? 0) > 1 ? "s" : ""}: ${issue.keys?.join(", ")}`;
  if (issue.code === "invalid_type") return "Send a JSON object";
  return undefined;
}

export const updateProfileInput = z.strictObject({ displayName: displayNameSchema }, { error: objectError });

export type UpdateProfileInput = z.input<typeof updateProfileInput>;

/**
 * The avatar: the picture URL of one of the caller's identities, or null for initials. The shape is checked
 * here; whether the URL really is one of the caller's pictures is decided by Postgres (private.set_my_avatar).
 */
const CHOOSE_AVATAR = "Choose one of your pictures, or initials";

export const chooseAvatarInput = z.strictObject(
  {
    avatarUrl: z.union(
      [
        z.null(),
        z.string({ error: CHOOSE_AVATAR }).max(AVATAR_URL_MAX, { error: CHOOSE_AVATAR }).regex(/^https?:\/\/\S+$/i, { error: CHOOSE_AVATAR }),
      ],
      { error: CHOOSE_AVATAR },
    ),
  },
  { error: objectError },
);

export type ChooseAvatarInput = z.input<typeof chooseAvatarInput>;
