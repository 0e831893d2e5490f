import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import type { Profile } from "./get-profile";

export const updateProfileInput = z.object({
  displayName: z
    .string({ error: "Enter a display name" })
    .trim()
    .min(1, { error: "Enter a display name" })
    .max(80, { error: "Use at most 80 characters" })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: "Use printable characters only" }),
});

export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

/**
 * Changes the caller's display name through RLS: the policy allows only their own row and the column grants
 * only display_name and avatar_url (updated_at is set by a trigger).
 */
export async function updateProfile(auth: AuthContext, raw: unknown): Promise<Profile> {
  const parsed = updateProfileInput.safeParse(raw);
  if (!parsed.success) {
    throw new AppError({ code: "invalid_input", message: parsed.error.issues[0]?.message ?? "Invalid input" });
  }
  const rows = await withRls(auth.claims, (tx) => tx<{ display_name: string | null; avatar_url: string | null; created_at: Date }[]>`
    update public.profiles set display_name = ${parsed.data.displayName}
    where id = ${auth.userId}
    returning display_name, avatar_url, created_at`);
  const row = rows[0];
  if (!row) throw new AppError({ code: "not_found", message: "Profile not found" });
  return { displayName: row.display_name, avatarUrl: row.avatar_url, createdAt: row.created_at.toISOString() };
}
