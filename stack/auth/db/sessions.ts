import { randomInt, randomUUID } from "node:crypto";
import type { Db } from "../app.ts";

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** Supabase Auth's default (legacy) refresh tokens: 12 random characters of the lowercase base32 alphabet. */
export function newRefreshToken(): string {
  let out = "";
  for (let i = 0; i < 12; i++) out += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return out;
}

export const REFRESH_TOKEN_FORMAT = /^[a-z0-9]{12}$/i;

export type SessionInfo = { id: string; aal: string; amr: { method: string; timestamp: number }[] };

/** A new aal1 session with its first refresh token and the sign-in method as its amr claim. */
export async function createSession(
  db: Db,
  opts: { userId: string; method: string; ip: string; userAgent: string | undefined },
): Promise<{ session: SessionInfo; refreshToken: string }> {
  const id = randomUUID();
  const token = newRefreshToken();
  const rows = await db<{ created_at: Date }[]>`
    with s as (
      insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
      values (${id}, ${opts.userId}, now(), now(), 'aal1', ${opts.userAgent ?? null}, ${opts.ip || null})
      returning created_at
    ), a as (
      insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
      select ${id}, now(), now(), ${opts.method}, ${randomUUID()} from s
    ), t as (
      insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
      select '00000000-0000-0000-0000-000000000000', ${token}, ${opts.userId}, false, now(), now(), null, ${id} from s
    )
    select created_at from s`;
  const created = rows[0]?.created_at ?? new Date();
  return {
    session: { id, aal: "aal1", amr: [{ method: opts.method, timestamp: Math.floor(created.getTime() / 1000) }] },
    refreshToken: token,
  };
}

/** The session's aal and its amr entries, most recent first (the order Supabase Auth puts in tokens). */
export async function sessionInfo(db: Db, sessionId: string): Promise<SessionInfo | null> {
  const rows = await db<{ aal: string | null; amr: { method: string; timestamp: number }[] | null }[]>`
    select s.aal,
      (select jsonb_agg(jsonb_build_object('method', c.authentication_method,
                                           'timestamp', floor(extract(epoch from c.updated_at))::bigint)
                        order by floor(extract(epoch from c.updated_at)) desc)
         from auth.mfa_amr_claims c where c.session_id = s.id) as amr
    from auth.sessions s where s.id = ${sessionId}`;
  const row = rows[0];
  if (!row) return null;
  return { id: sessionId, aal: row.aal ?? "aal1", amr: row.amr ?? [] };
}

// MFA: what verifying and removing factors do to sessions (api/factors.ts, api/admin-factors.ts).

/** Records a sign-in method on the session; a method already recorded gets a fresh timestamp. */
export async function addAmrClaim(db: Db, sessionId: string, method: string): Promise<void> {
  await db`
    insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    values (${sessionId}, now(), now(), ${method}, ${randomUUID()})
    on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey
    do update set updated_at = now()`;
}

export async function setSessionAal(db: Db, sessionId: string, aal: "aal1" | "aal2", factorId: string | null): Promise<void> {
  await db`update auth.sessions set aal = ${aal}, factor_id = ${factorId}, updated_at = now() where id = ${sessionId}`;
}

/** Verifying a factor ends every session of the user that is below aal2. */
export async function deleteSessionsBelowAal2(db: Db, userId: string): Promise<void> {
  await db`delete from auth.sessions where user_id = ${userId} and aal < 'aal2'`;
}

/** Sessions verified with a removed factor fall back to aal1 and lose that factor's amr entry. */
export async function downgradeFactorSessions(db: Db, userId: string, factorId: string, factorType: string): Promise<void> {
  await db`
    delete from auth.mfa_amr_claims
    where authentication_method = ${factorType}
      and session_id in (select id from auth.sessions where factor_id = ${factorId})`;
  await db`
    update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now()
    where user_id = ${userId} and factor_id = ${factorId}`;
}

/**
 * Revokes the session's active refresh token and issues its child, as a sign-in step-up does; the old token
 * then returns the new one (it is the parent of the active token). Null when the session has no token.
 */
export async function rotateSessionRefreshToken(db: Db, sessionId: string): Promise<string | null> {
  const rows = await db<{ id: string; token: string; user_id: string }[]>`
    select id, token, user_id from auth.refresh_tokens
    where session_id = ${sessionId}
    order by revoked, id desc limit 1 for update`;
  const current = rows[0];
  if (!current) return null;
  const token = newRefreshToken();
  await db`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${current.id}`;
  await db`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${token}, ${current.user_id}, false, now(), now(), ${current.token}, ${sessionId})`;
  return token;
}
