import "server-only";
import { cache } from "react";
import { authenticate, withUser, type AuthContext, type SignedInUser } from "../auth/guard";
import { can, type Permission } from "../auth/permissions";
import type { Tx } from "../db/rls";

/**
 * The admin area's pages: the guard and the page's queries in one round trip (withUser), and, in the same
 * transaction, Postgres's answer to private.authorize(permission) before anything is read. Someone signed in
 * without the permission gets null, and the page answers 404 (notFound()): the area does not reveal that it
 * exists. Signed out, a revoked session, a ban or a pending second factor redirect as withUser does.
 */
export async function withStaffPage<T>(
  permission: Permission,
  load: (tx: Tx, user: SignedInUser) => Promise<T>,
  next: string,
): Promise<{ auth: AuthContext; data: T } | null> {
  const { auth, data } = await withUser(
    async (tx, user) => {
      const [row] = await tx<{ allowed: boolean }[]>`select private.authorize(${permission}::public.app_permission) as allowed`;
      if (!row?.allowed) return { allowed: false as const };
      return { allowed: true as const, data: await load(tx, user) };
    },
    { next },
  );
  return data.allowed ? { auth, data: data.data } : null;
}

export type StaffShell = { kind: "staff"; canReadAudit: boolean } | { kind: "not_found" } | { kind: "page_decides" };

/**
 * What the admin area's layout shows: its chrome to staff (with users.read), nothing of it to anyone else. A
 * signed-in user without users.read gets `not_found` (the layout answers 404 before any of the area renders);
 * for anyone the guard turns away (signed out, …) the page redirects on its own, with its own `next`.
 * The layout is not re-rendered on navigation inside the area, so every page checks again. Once per request
 * (React's cache): the pages' generateMetadata() asks too, so that a 404 does not carry the page's title.
 */
export const staffShell = cache(async (): Promise<StaffShell> => {
  const result = await authenticate("users.read");
  if (result.ok) return { kind: "staff", canReadAudit: can(result.auth.role, "audit.read") };
  return result.reason === "forbidden" ? { kind: "not_found" } : { kind: "page_decides" };
});

/** A page's metadata for staff only: the title of a page that answers 404 would tell that it exists. */
export async function staffMetadata(title: string): Promise<{ title?: string }> {
  return (await staffShell()).kind === "staff" ? { title } : {};
}
