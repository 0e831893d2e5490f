/**
 * Roles and permissions as data, mirroring `public.app_role`, `public.app_permission` and the rows of
 * `public.role_permissions` (supabase/migrations/20261127100000_rbac.sql and the migrations that change them
 * later; permissions.test.ts keeps the two equal). These helpers are for the UI only: what a page shows or
 * hides. Postgres decides, through `private.authorize()` in the RLS policies, which reads the current role
 * from `public.user_roles`.
 */

export const ROLES = ["user", "support", "admin"] as const;
export type AppRole = (typeof ROLES)[number];

export const PERMISSIONS = [
  "users.read",
  "users.write",
  "users.create",
  "users.ban",
  "users.delete",
  "sessions.revoke",
  "roles.assign",
  "factors.delete",
  "audit.read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<AppRole, readonly Permission[]>> = {
  user: [],
  /** Read-only: support finds and looks; every write of the admin dashboard is an admin's. */
  support: ["users.read", "audit.read"],
  admin: PERMISSIONS,
};

export function isAppRole(value: unknown): value is AppRole {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && (PERMISSIONS as readonly string[]).includes(value);
}

/** The permissions of a role; an unknown or missing role has none. */
export function permissionsOf(role: AppRole | null | undefined): readonly Permission[] {
  return role && isAppRole(role) ? ROLE_PERMISSIONS[role] : [];
}

export function can(role: AppRole | null | undefined, permission: Permission): boolean {
  return permissionsOf(role).includes(permission);
}

export function canAny(role: AppRole | null | undefined, permissions: readonly Permission[]): boolean {
  return permissions.some((p) => can(role, p));
}

export function canAll(role: AppRole | null | undefined, permissions: readonly Permission[]): boolean {
  return permissions.every((p) => can(role, p));
}

/**
 * The `user_role` claim the custom access token hook writes. It is as old as the access token (up to its
 * lifetime behind a role change), so use it for display only, never to allow an action.
 */
export function roleFromClaims(claims: Record<string, unknown> | null | undefined): AppRole | null {
  const value = claims?.user_role;
  return isAppRole(value) ? value : null;
}

/** Staff see the admin area (what it shows inside still depends on each permission). */
export function isStaff(role: AppRole | null | undefined): boolean {
  return permissionsOf(role).length > 0;
}
