import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { pool } from "../db/client";
import type { JwtClaims } from "../db/rls";
import { AppError } from "../errors";
import { storedAccessToken } from "../supabase/stored-session";
import { can, isAppRole, type AppRole, type Permission } from "./permissions";
import { verifyAccessToken, type VerifiedClaims } from "./verify-token";

export type AuthContext = {
  userId: string;
  sessionId: string;
  email: string;
  /** The role read from the database on this request, not the (possibly stale) token claim. */
  role: AppRole;
  claims: VerifiedClaims & JwtClaims;
};

export type DenyReason = "signed_out" | "session_expired" | "session_revoked" | "banned" | "forbidden" | "unavailable";

export type AuthResult = { ok: true; auth: AuthContext } | { ok: false; reason: DenyReason };

/**
 * Whether the token's session still exists with an unrevoked refresh token and its user is neither banned
 * nor deleted, and the user's current role: one indexed query, no call to the Auth server.
 */
async function sessionStatus(userId: string, sessionId: string): Promise<{ active: boolean; banned: boolean; role: string | null }> {
  const rows = await pool()<{ active: boolean; banned: boolean; role: string | null }[]>`
    select active, banned, role from private.session_status(${userId}::uuid, ${sessionId}::uuid)`;
  return rows[0] ?? { active: false, banned: false, role: null };
}

/**
 * The one authentication check of the app. Middleware only refreshes; every protected page, route handler
 * and server action calls this (through requireUser / requirePermission / the action and route wrappers),
 * and Postgres checks again through RLS.
 */
export async function authenticate(): Promise<AuthResult> {
  // The middleware has refreshed the session already; read the token straight from the HttpOnly cookie.
  // Nothing in it is trusted until verified below.
  const token = storedAccessToken((await cookies()).getAll());
  if (!token) return { ok: false, reason: "signed_out" };
  const verified = await verifyAccessToken(token);
  if (!verified.ok) {
    if (verified.reason === "unavailable") return { ok: false, reason: "unavailable" };
    return { ok: false, reason: verified.reason === "expired" ? "session_expired" : "session_revoked" };
  }
  const claims = verified.claims;
  const status = await sessionStatus(claims.sub, claims.session_id);
  if (status.banned) return { ok: false, reason: "banned" };
  if (!status.active) return { ok: false, reason: "session_revoked" };
  const role: AppRole = isAppRole(status.role) ? status.role : "user";
  return {
    ok: true,
    auth: {
      userId: claims.sub,
      sessionId: claims.session_id,
      email: typeof claims.email === "string" ? claims.email : "",
      role,
      claims: claims as VerifiedClaims & JwtClaims,
    },
  };
}

/** For pages: the signed-in user, or a redirect that clears the session cookies and goes to /login. */
export async function requireUser(next = "/account"): Promise<AuthContext> {
  const result = await authenticate();
  if (result.ok) return result.auth;
  if (result.reason === "unavailable") redirect("/unavailable");
  if (result.reason === "signed_out") {
    const store = await cookies();
    const hasSessionCookie = store.getAll().some((c) => c.name.startsWith("sb-"));
    if (!hasSessionCookie) redirect(`/login?next=${encodeURIComponent(next)}`);
  }
  const reason = result.reason === "banned" ? "banned" : "session_expired";
  redirect(`/auth/signed-out?reason=${reason}&next=${encodeURIComponent(next)}`);
}

/** For pages: the user must hold `permission` with their current role; otherwise a 403 page. */
export async function requirePermission(permission: Permission, next = "/account"): Promise<AuthContext> {
  const auth = await requireUser(next);
  if (!can(auth.role, permission)) redirect("/forbidden");
  return auth;
}

/** For route handlers and server actions: the user (and permission) or an AppError to map to 401/403. */
export async function authorizeRequest(permission?: Permission): Promise<AuthContext> {
  const result = await authenticate();
  if (!result.ok) {
    if (result.reason === "unavailable") throw new AppError({ code: "auth_unavailable", message: "Sign-in service unavailable" });
    throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
  }
  if (permission && !can(result.auth.role, permission)) {
    throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
  }
  return result.auth;
}
