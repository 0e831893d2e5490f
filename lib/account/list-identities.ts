import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls, type Tx } from "../db/rls";
import { accountDbError } from "./account-errors";

/** One provider identity of the signed-in user, as the identities page shows it. */
export type AccountIdentity = { id: string; provider: string; email: string | null; linkedAt: string | null };

/** The caller's identities, oldest first, in their RLS-scoped transaction (private.list_my_identities()). */
export async function readIdentities(tx: Tx): Promise<AccountIdentity[]> {
  const rows = await tx<{ id: string; provider: string; email: string | null; created_at: Date | null }[]>`
    select id, provider, email, created_at from private.list_my_identities()`;
  return rows.map((r) => ({ id: r.id, provider: r.provider, email: r.email, linkedAt: r.created_at?.toISOString() ?? null }));
}

export async function listIdentities(auth: AuthContext): Promise<AccountIdentity[]> {
  try {
    return await withRls(auth.claims, readIdentities);
  } catch (error) {
    throw accountDbError(error);
  }
}
