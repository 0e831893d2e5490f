import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";

export type Profile = { displayName: string | null; avatarUrl: string | null; createdAt: string };

/** The signed-in user's profile row, read through RLS as that user. */
export async function getProfile(auth: AuthContext): Promise<Profile | null> {
  const rows = await withRls(auth.claims, (tx) => tx<{ display_name: string | null; avatar_url: string | null; created_at: Date }[]>`
    select display_name, avatar_url, created_at from public.profiles where id = ${auth.userId}`);
  const row = rows[0];
  return row ? { displayName: row.display_name, avatarUrl: row.avatar_url, createdAt: row.created_at.toISOString() } : null;
}
