import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type postgres from "postgres";
import { pool } from "../db/client";
import { postgresError } from "../db/errors";
import { withRlsAfterCheck, type JwtClaims, type Tx } from "../db/rls";
import { AppError } from "../errors";
import { readStoredSession } from "../supabase/stored-session";
import { mfaPending, mfaPromptUrl } from "./aal";
import { isAppRole, type AppRole, type Permission } from "./permissions";
import { verifyAccessToken, type VerifiedClaims } from "./verify-token";

export type AuthContext = {
  userId: string;
  sessionId: string;
  email: string;
  /** The role read from the database on this request, not the (possibly stale) token claim. */
  role: AppRole;
  claims: VerifiedClaims & JwtClaims;
};

/** The signed-in user before the database has been asked: verified token, no role yet. */
export type SignedInUser = Omit<AuthContext, "role">;

export type DenyReason = "signed_out" | "session_expired" | "session_revoked" | "banned" | "forbidden" | "unavailable" | "mfa_required";

/** Whether a session that still owes its second-factor code may pass: only the code prompt's own page and route. */
export type MfaOption = { allowMfaPending?: boolean };

export type AuthResult = { ok: true; auth: AuthContext } | { ok: false; reason: DenyReason };

type TokenResult = { ok: true; user: SignedInUser } | { ok: false; reason: DenyReason };

/** The access token from the HttpOnly session cookie, verified locally (lib/auth/verify-token.ts). */
async function verifiedUser(): Promise<TokenResult> {
  // The middleware has refreshed the session already; read the token straight from the cookie. Nothing in
  // it is trusted until verified.
  const token = readStoredSession((await headers()).get("cookie")).accessToken;
  if (!token) return { ok: false, reason: "signed_out" };
  const verified = await verifyAccessToken(token);
  if (!verified.ok) {
    if (verified.reason === "unavailable") return { ok: false, reason: "unavailable" };
    return { ok: false, reason: verified.reason === "expired" ? "session_expired" : "session_revoked" };
  }
  const claims = verified.claims;
  return {
    ok: true,
    user: {
      userId: claims.sub,
      sessionId: claims.session_id,
      email: typeof claims.email === "string" ? claims.email : "",
      claims: claims as VerifiedClaims & JwtClaims,
    },
  };
}

/**
 * The database half of the guard, one indexed statement and no call to the Auth server:
 * private.assert_session() returns the user's current role if the token's session still exists with an
 * unrevoked refresh token, the user is neither banned nor deleted, and the role holds `permission` (if
 * given); otherwise it raises (see denial()).
 */
function assertSession(sql: postgres.Sql | Tx, user: SignedInUser, permission: Permission | null) {
  // Besides the session check: whether the user has a verified factor and this session's level (auth.sessions.aal),
  // for the second-factor rule (lib/auth/aal.ts). Read as the app's own database user, before any role switch.
  return sql<{ role: string; has_factor: boolean; session_aal: string | null }[]>`
    select private.assert_session(${user.userId}::uuid, ${user.sessionId}::uuid, ${permission}::public.app_permission)::text as role,
           exists (select 1 from auth.mfa_factors f where f.user_id = ${user.userId}::uuid and f.status = 'verified') as has_factor,
           (select s.aal::text from auth.sessions s where s.id = ${user.sessionId}::uuid and s.user_id = ${user.userId}::uuid) as session_aal`;
}

function owesCode(user: SignedInUser, row: { has_factor: boolean; session_aal: string | null } | undefined): boolean {
  // No row cannot happen after a successful check; if it did, deny.
  if (!row) return true;
  return mfaPending({ hasVerifiedFactor: row.has_factor, tokenAal: user.claims.aal, sessionAal: row.session_aal });
}

/** Why private.assert_session() refused, or null for any other error. */
function denial(error: unknown): DenyReason | null {
  const pg = postgresError(error);
  if (pg?.code === "28000" && (pg.message === "banned" || pg.message === "session_revoked")) return pg.message;
  if (pg?.code === "42501" && pg.message === "forbidden") return "forbidden";
  return null;
}

function withRole(user: SignedInUser, role: string | undefined): AuthContext {
  return { ...user, role: isAppRole(role) ? role : "user" };
}

/**
 * The one authentication check of the app. Middleware only refreshes; every protected page, route handler
 * and server action calls this (through requireUser / requirePermission / withUser / the route wrappers),
 * and Postgres checks again through RLS.
 */
export async function authenticate(permission?: Permission, options: MfaOption = {}): Promise<AuthResult> {
  const verified = await verifiedUser();
  if (!verified.ok) return verified;
  try {
    const [row] = await assertSession(pool(), verified.user, permission ?? null);
    if (!options.allowMfaPending && owesCode(verified.user, row)) return { ok: false, reason: "mfa_required" };
    return { ok: true, auth: withRole(verified.user, row?.role) };
  } catch (error) {
    const reason = denial(error);
    if (reason === null) throw error;
    return { ok: false, reason };
  }
}

/** Where a page goes when the guard says no: /login, the cookie-clearing sign-out, /forbidden or /unavailable. */
async function denyPage(reason: DenyReason, next: string): Promise<never> {
  if (reason === "unavailable") redirect("/unavailable");
  if (reason === "forbidden") redirect("/forbidden");
  if (reason === "mfa_required") redirect(mfaPromptUrl(next));
  if (reason === "signed_out") {
    const store = await cookies();
    const hasSessionCookie = store.getAll().some((c) => c.name.startsWith("sb-"));
    if (!hasSessionCookie) redirect(`/login?next=${encodeURIComponent(next)}`);
  }
  const why = reason === "banned" ? "banned" : "session_expired";
  redirect(`/auth/signed-out?reason=${why}&next=${encodeURIComponent(next)}`);
}

/** For pages: the signed-in user, or a redirect that clears the session cookies and goes to /login. */
export async function requireUser(next = "/account"): Promise<AuthContext> {
  const result = await authenticate();
  return result.ok ? result.auth : denyPage(result.reason, next);
}

/** For pages: the user must hold `permission` with their current role (Postgres decides); otherwise a 403 page. */
export async function requirePermission(permission: Permission, next = "/account"): Promise<AuthContext> {
  const result = await authenticate(permission);
  return result.ok ? result.auth : denyPage(result.reason, next);
}

/**
 * For pages that read data: the guard and the page's queries in one database round trip. The token is
 * verified locally first; then private.assert_session() (session, ban, current role, and `permission` if
 * given) is the first statement of the page's RLS transaction, and `load`'s queries are sent right behind
 * it. If the check fails, Postgres aborts the transaction before any of them runs and the page redirects as
 * requireUser / requirePermission would.
 *
 * `load` runs before the check's answer has arrived: it must only query through `tx` (no other side
 * effects), and it gets the user without the role. Use requireUser() when a page needs the role to decide
 * what to load, and authorizeRequest() for anything that changes state.
 */
export async function withUser<T>(
  load: (tx: Tx, user: SignedInUser) => Promise<T>,
  options: { next?: string; permission?: Permission } = {},
): Promise<{ auth: AuthContext; data: T }> {
  const next = options.next ?? "/account";
  const verified = await verifiedUser();
  if (!verified.ok) return denyPage(verified.reason, next);
  const { user } = verified;
  let outcome: { checked: { role: string; has_factor: boolean; session_aal: string | null }[]; result: T };
  try {
    outcome = await withRlsAfterCheck((tx) => assertSession(tx, user, options.permission ?? null).execute(), user.claims, (tx) => load(tx, user));
  } catch (error) {
    const reason = denial(error);
    if (reason === null) throw error;
    return denyPage(reason, next);
  }
  // The page's queries have run, read-only and as this user; a session that owes its code sees none of it.
  if (owesCode(user, outcome.checked[0])) return denyPage("mfa_required", next);
  return { auth: withRole(user, outcome.checked[0]?.role), data: outcome.result };
}

/** For route handlers and server actions: the user (and permission) or an AppError to map to 401/403. */
export async function authorizeRequest(permission?: Permission, options: MfaOption = {}): Promise<AuthContext> {
  const result = await authenticate(permission, options);
  if (result.ok) return result.auth;
  if (result.reason === "mfa_required") {
    throw new AppError({ code: "mfa_required", message: "Enter the code from your authenticator app to finish signing in" });
  }
  if (result.reason === "unavailable") throw new AppError({ code: "auth_unavailable", message: "Sign-in service unavailable" });
  if (result.reason === "forbidden") throw new AppError({ code: "forbidden", message: "You do not have permission to do this" });
  throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
}
