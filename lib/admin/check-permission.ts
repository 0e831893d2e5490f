import "server-only";
import type { AuthContext } from "../auth/guard";
import { can, type Permission } from "../auth/permissions";
import { withRls } from "../db/rls";
import { AppError } from "../errors";

/**
 * The clear error up front: the role the guard read from the database on this request must hold
 * `permission`. Postgres still decides on its own, through RLS and private.authorize().
 */
export function assertCan(auth: AuthContext, permission: Permission): void {
  if (!can(auth.role, permission)) {
    throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
  }
}

/** Staff act on other accounts; their own account is managed on the account pages. */
export function assertNotSelf(auth: AuthContext, userId: string, what: string): void {
  if (auth.userId === userId) throw new AppError({ code: "invalid_input", message: `You cannot ${what} your own account` });
}

/**
 * Asks Postgres (private.authorize(): current role, active session, not banned) before a call to the
 * Auth admin API, which bypasses RLS and cannot share a transaction with it.
 */
export async function assertAuthorizedInDb(auth: AuthContext, permission: Permission): Promise<void> {
  const [row] = await withRls(auth.claims, (tx) => tx<{ allowed: boolean }[]>`
    select private.authorize(${permission}::public.app_permission) as allowed`);
  if (!row?.allowed) throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
}
