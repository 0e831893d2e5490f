import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import type { App, Db } from "../app.ts";
import { issueTokens } from "../access-token.ts";
import { writeAudit, userActor } from "../db/audit.ts";
import { deleteFlowState, findFlowStateByAuthCode } from "../db/flow-state.ts";
import { createSession, newRefreshToken, REFRESH_TOKEN_FORMAT, sessionInfo } from "../db/sessions.ts";
import { findUserById, isBanned } from "../db/users.ts";
import { AuthError, badRequest, notFound, validationFailed } from "../errors.ts";
import { decodeGoParams, type GoStruct } from "../go-params.ts";
import { json, type Ctx, type Reply, type Route } from "../http.ts";
import { passwordWeakness } from "../password.ts";
import { validatePhone } from "./admin-users.ts";

const PKCE_GRANT_PARAMS: GoStruct = { name: "PKCEGrantParams", fields: { auth_code: "string", code_verifier: "string" } };
const PASSWORD_GRANT_PARAMS: GoStruct = {
  name: "PasswordGrantParams",
  fields: { email: "string", phone: "string", password: "string", gotrue_meta_security: "struct" },
};
const REFRESH_GRANT_PARAMS: GoStruct = { name: "RefreshTokenGrantParams", fields: { refresh_token: "string" } };

/** How long an auth code from the callback stays exchangeable. */
const AUTH_CODE_LIFETIME_MS = 5 * 60 * 1000;

function verifierMatches(method: string | null, challenge: string | null, verifier: string): boolean {
  if (!challenge) return false;
  if (method === "plain") return verifier === challenge;
  return createHash("sha256").update(verifier).digest("base64url") === challenge;
}

async function pkceGrant(app: App, ctx: Ctx): Promise<Reply> {
  const body = await decodeGoParams(ctx, PKCE_GRANT_PARAMS);
  const authCode = body.auth_code as string;
  const verifier = body.code_verifier as string;
  if (!authCode || !verifier) {
    throw validationFailed("invalid request: both auth code and code verifier should be non-empty");
  }
  const response = await app.sql.begin(async (tx) => {
    const flow = await findFlowStateByAuthCode(tx, authCode);
    if (!flow) throw notFound("flow_state_not_found", "invalid flow state, no valid flow state found");
    const issued = flow.auth_code_issued_at ?? flow.created_at;
    if (Date.now() - issued.getTime() > AUTH_CODE_LIFETIME_MS) {
      throw notFound("flow_state_expired", "Flow state has expired");
    }
    // A wrong verifier must not consume the code: nothing is written before this check.
    if (!verifierMatches(flow.code_challenge_method, flow.code_challenge, verifier)) {
      throw badRequest("bad_code_verifier", "code challenge does not match previously saved code verifier");
    }
    const user = flow.user_id ? await findUserById(tx, flow.user_id) : null;
    if (!user) throw notFound("user_not_found", "User not found");
    if (isBanned(user)) throw badRequest("user_banned", "User is banned");
    const { session, refreshToken } = await createSession(tx, {
      userId: user.id,
      method: flow.authentication_method,
      ip: ctx.ip,
      userAgent: ctx.header("user-agent"),
    });
    await deleteFlowState(tx, flow.id);
    await writeAudit(tx, { actor: userActor(user), action: "login", logType: "account", traits: { provider_type: flow.provider_type } });
    return issueTokens(app, tx, {
      user,
      session,
      refreshToken,
      authenticationMethod: flow.authentication_method,
      providerToken: flow.provider_access_token,
      providerRefreshToken: flow.provider_refresh_token,
    });
  });
  return json(200, response);
}

/**
 * `grant_type=password`: by email or phone. A banned user is told so before the password is checked; a
 * correct password that no longer meets the strength rules still signs in, with `weak_password` saying why
 * (null otherwise).
 */
async function passwordGrant(app: App, ctx: Ctx): Promise<Reply> {
  const body = await decodeGoParams(ctx, PASSWORD_GRANT_PARAMS);
  const password = body.password as string;
  const invalid = () => badRequest("invalid_credentials", "Invalid login credentials");
  let found: { id: string; encrypted_password: string | null }[];
  if (body.email !== "") {
    const email = (body.email as string).trim().toLowerCase();
    found = await app.sql`
      select id, encrypted_password from auth.users where lower(email) = ${email} and is_sso_user = false`;
  } else if (body.phone !== "") {
    let phone: string;
    try {
      phone = validatePhone(body.phone as string);
    } catch {
      throw invalid();
    }
    found = await app.sql`select id, encrypted_password from auth.users where phone = ${phone} and is_sso_user = false`;
  } else {
    throw validationFailed("missing email or phone");
  }
  const row = found[0];
  if (!row?.encrypted_password) throw invalid();
  const candidate = await findUserById(app.sql, row.id);
  if (candidate && isBanned(candidate)) throw badRequest("user_banned", "User is banned");
  if (!(await bcrypt.compare(password, row.encrypted_password))) throw invalid();
  let weak: ReturnType<typeof passwordWeakness> = null;
  try {
    weak = passwordWeakness(app.config, password);
  } catch {
    // A password over the length limit that still matches signs in; only the strength report is skipped.
  }
  const response = await app.sql.begin(async (tx) => {
    const user = await findUserById(tx, row.id);
    if (!user) throw invalid();
    if (body.email !== "" && !user.email_confirmed_at) throw badRequest("email_not_confirmed", "Email not confirmed");
    if (body.email === "" && !user.phone_confirmed_at) throw badRequest("phone_not_confirmed", "Phone not confirmed");
    await tx`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${user.id}`;
    const { session, refreshToken } = await createSession(tx, {
      userId: user.id,
      method: "password",
      ip: ctx.ip,
      userAgent: ctx.header("user-agent"),
    });
    await writeAudit(tx, {
      actor: userActor(user),
      action: "login",
      logType: "account",
      traits: { provider: body.email !== "" ? "email" : "phone" },
    });
    const fresh = (await findUserById(tx, user.id)) ?? user;
    return issueTokens(app, tx, { user: fresh, session, refreshToken, authenticationMethod: "password" });
  });
  return json(200, { ...response, weak_password: weak });
}

type TokenRow = { id: string; token: string; revoked: boolean; updated_at: Date; session_id: string; user_id: string };

const alreadyUsed = () => badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");

async function swap(db: Db, row: TokenRow): Promise<string> {
  const token = newRefreshToken();
  await db`
    with revoke as (
      update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${row.id} and revoked = false
    )
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${token}, ${row.user_id}, false, now(), now(), ${row.token}, ${row.session_id})`;
  return token;
}

/**
 * Rotation as transcript 05 records it: the parent of the active token gets the active token back (no time
 * limit); a revoked token inside the reuse interval is swapped normally; any other revoked token is reuse —
 * the session's tokens are revoked (the session row stays) and the answer is `refresh_token_already_used`.
 * The row lock makes concurrent refreshes of one token agree on one child.
 */
async function refreshGrant(app: App, ctx: Ctx): Promise<Reply> {
  const body = await decodeGoParams(ctx, REFRESH_GRANT_PARAMS);
  const presented = body.refresh_token as string;
  if (!REFRESH_TOKEN_FORMAT.test(presented)) throw validationFailed("Refresh token is not valid");
  let reuseDetected = false;
  const response = await app.sql.begin(async (tx) => {
    const rows = await tx<TokenRow[]>`
      select id, token, revoked, updated_at, session_id, user_id from auth.refresh_tokens
      where token = ${presented} for update`;
    const row = rows[0];
    if (!row || !row.session_id) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    const user = await findUserById(tx, row.user_id);
    if (!user) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    if (isBanned(user)) throw badRequest("user_banned", "Invalid Refresh Token: User Banned");
    const sessions = await tx<{ not_after: Date | null }[]>`select not_after from auth.sessions where id = ${row.session_id}`;
    const session = sessions[0];
    if (!session) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    if (session.not_after && session.not_after.getTime() < Date.now()) {
      throw badRequest("session_expired", "Invalid Refresh Token: Session Expired");
    }
    let next: string;
    let swapped = false;
    if (row.revoked) {
      const active = await tx<{ token: string }[]>`
        select token from auth.refresh_tokens
        where session_id = ${row.session_id} and revoked = false and parent = ${row.token}
        order by id desc limit 1`;
      if (active[0]) {
        next = active[0].token;
      } else if (Date.now() < row.updated_at.getTime() + app.config.refreshTokenReuseInterval * 1000) {
        next = await swap(tx, row);
        swapped = true;
      } else {
        if (app.config.refreshTokenRotation) {
          await tx`
            update auth.refresh_tokens set revoked = true, updated_at = now()
            where session_id = ${row.session_id} and revoked = false`;
        }
        reuseDetected = true;
        return null;
      }
    } else {
      next = await swap(tx, row);
      swapped = true;
    }
    const actor = userActor(user);
    await writeAudit(tx, { actor, action: "token_refreshed", logType: "token" });
    if (swapped) await writeAudit(tx, { actor, action: "token_revoked", logType: "token" });
    await tx`
      update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now(),
        user_agent = coalesce(${ctx.header("user-agent") ?? null}, user_agent), ip = coalesce(${ctx.ip || null}::inet, ip)
      where id = ${row.session_id}`;
    const info = await sessionInfo(tx, row.session_id);
    if (!info) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    return issueTokens(app, tx, { user, session: info, refreshToken: next, authenticationMethod: "token_refresh" });
  });
  if (reuseDetected || !response) throw alreadyUsed();
  return json(200, response);
}

export function tokenRoutes(app: App): Route[] {
  return [
    {
      method: "POST",
      pattern: "/token",
      handler: async (ctx) => {
        switch (ctx.query.get("grant_type")) {
          case "pkce":
            return pkceGrant(app, ctx);
          case "refresh_token":
            return refreshGrant(app, ctx);
          case "password":
            return passwordGrant(app, ctx);
          default:
            throw new AuthError(400, "invalid_credentials", "unsupported_grant_type");
        }
      },
    },
  ];
}
