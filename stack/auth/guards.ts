import type { App } from "./app.ts";
import { AuthError, forbidden } from "./errors.ts";
import type { Ctx } from "./http.ts";
import { findUserById, isBanned, type UserRecord } from "./db/users.ts";
import { verifyJwt, type Claims } from "./tokens.ts";

const noAuthorization = () => new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function bearerToken(ctx: Ctx): string {
  const header = ctx.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw noAuthorization();
  return match[1] as string;
}

export async function requireClaims(app: App, ctx: Ctx): Promise<Claims> {
  return verifyJwt(bearerToken(ctx), app.keys, app.jwtSecret);
}

export type Authenticated = { claims: Claims; user: UserRecord; sessionId: string | null };

/**
 * What Supabase Auth checks on user endpoints: a verified token with a `sub`, that user existing, the
 * token's session existing when it names one, and the user not banned. Tokens without `session_id` pass (the
 * hosted server behaves so; the app's own guard is stricter).
 */
export async function requireUser(app: App, ctx: Ctx): Promise<Authenticated> {
  const claims = await requireClaims(app, ctx);
  const sub = claims.sub;
  if (typeof sub !== "string" || sub === "") throw forbidden("bad_jwt", "invalid claim: missing sub claim");
  if (!UUID.test(sub)) throw forbidden("bad_jwt", "invalid claim: sub claim must be a UUID");
  const user = await findUserById(app.sql, sub);
  if (!user) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
  let sessionId: string | null = null;
  if (typeof claims.session_id === "string" && claims.session_id !== "") {
    sessionId = claims.session_id;
    const exists = UUID.test(sessionId)
      ? await app.sql`select 1 from auth.sessions where id = ${sessionId} and user_id = ${sub}`
      : [];
    if (exists.length === 0) throw forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
  }
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  return { claims, user, sessionId };
}

/** Admin endpoints: a verified token whose `role` is `service_role` (GOTRUE_JWT_ADMIN_ROLES). */
export async function requireAdmin(app: App, ctx: Ctx): Promise<Claims> {
  const claims = await requireClaims(app, ctx);
  if (claims.role !== "service_role") throw forbidden("not_admin", "User not allowed");
  return claims;
}
