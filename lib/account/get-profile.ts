import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls, type Tx } from "../db/rls";

export type Profile = { displayName: string | null; avatarUrl: string | null; createdAt: string };

/** A user's profile row, read in the caller's RLS-scoped transaction: null unless RLS lets the caller see it. */
export async function readProfile(tx: Tx, userId: string): Promise<Profile | null> {
  const rows = await tx<{ display_name: string | null; avatar_url: string | null; created_at: Date }[]>`
    select display_name, avatar_url, created_at from public.profiles where id = ${userId}`;
  const row = rows[0];
  return row ? { displayName: row.display_name, avatarUrl: row.avatar_url, createdAt: row.created_at.toISOString() } : null;
}

/** The signed-in user's profile row, read through RLS as that user (its own transaction). */
export async function getProfile(auth: AuthContext): Promise<Profile | null> {
  return withRls(auth.claims, (tx) => readProfile(tx, auth.userId));
}
