import "server-only";
import type { Tx } from "../db/rls";

export type AdminUserRow = { id: string; displayName: string | null; role: string; createdAt: string };

/**
 * Every profile with its role, newest first, in the caller's RLS-scoped transaction. RLS decides: without
 * `users.read` on the current role (read from the table on this very statement) the query returns only the
 * caller's own row.
 */
export async function listUsers(tx: Tx, limit = 50): Promise<AdminUserRow[]> {
  const rows = await tx<{ id: string; display_name: string | null; role: string | null; created_at: Date }[]>`
    select p.id, p.display_name, r.role::text as role, p.created_at
    from public.profiles p
    left join public.user_roles r on r.user_id = p.id
    order by p.created_at desc
    limit ${limit}`;
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, role: r.role ?? "user", createdAt: r.created_at.toISOString() }));
}
