import "server-only";
import type { AuthContext } from "../auth/guard";
import { can, type Permission } from "../auth/permissions";
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
