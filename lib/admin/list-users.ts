import "server-only";
import type { Tx } from "../db/rls";
import { searchUsersInTx } from "./search-users";

export type AdminUserRow = { id: string; displayName: string | null; role: string; createdAt: string };

/**
 * The newest users with their role, in the caller's RLS-scoped transaction: the first page of the admin user
 * search (private.user_directory), newest first. Postgres decides: without `users.read` on the current role
 * (read from the table on this very statement) and a live session, it refuses with 42501.
 */
export async function listUsers(tx: Tx, limit = 50): Promise<AdminUserRow[]> {
  const page = await searchUsersInTx(tx, { sort: "created", dir: "desc", pageSize: Math.min(Math.max(limit, 1), 100) });
  return page.users.map((u) => ({ id: u.id, displayName: u.displayName, role: u.role, createdAt: u.createdAt }));
}
