import { createHash } from "node:crypto";
import type { Db } from "../app.ts";
import { NIL_UUID } from "./audit.ts";
import { USER_COLUMNS, type UserRecord } from "./users.ts";

/** The SQL of the admin user endpoints on `auth.users` (list, create, update, delete). */

export type SortDirection = "asc" | "desc";

/**
 * One page of users in an audience. `filter` matches the email with LIKE (case-sensitive) or
 * `user_metadata.full_name` with ILIKE, unescaped, like Supabase Auth. List items carry neither identities
 * nor factors (the user object then has `identities: null` and no `factors` key).
 */
export async function listUsers(
  db: Db,
  opts: { aud: string; filter: string; sort: SortDirection[]; limit: number; offset: number },
): Promise<{ users: UserRecord[]; count: number }> {
  const pattern = `%${opts.filter}%`;
  const where = db`
    instance_id = ${NIL_UUID} and aud = ${opts.aud}
    ${opts.filter !== "" ? db`and (email like ${pattern} or raw_user_meta_data->>'full_name' ilike ${pattern})` : db``}`;
  const order = opts.sort
    .map((dir) => (dir === "asc" ? db`created_at asc` : db`created_at desc`))
    .reduce((acc, next) => db`${acc}, ${next}`);
  const [users, counted] = await Promise.all([
    db<UserRecord[]>`
      select ${db.unsafe(USER_COLUMNS)}, '[]'::jsonb as identities, '[]'::jsonb as factors
      from auth.users u where ${where}
      order by ${order}
      limit ${opts.limit}::bigint offset ${opts.offset}::bigint`,
    db<{ count: number }[]>`select count(*)::int as count from auth.users where ${where}`,
  ]);
  return { users, count: counted[0]?.count ?? 0 };
}

/**
 * Whether another user of the audience already has this email, through an identity (not an SSO one) or as
 * the user's own address.
 */
export async function emailInUse(db: Db, email: string, aud: string, exceptUserId: string | null): Promise<boolean> {
  const rows = await db`
    select 1 from auth.users u
    where u.aud = ${aud} and u.id is distinct from ${exceptUserId}::uuid
      and (
        (lower(u.email) = ${email} and u.is_sso_user is false)
        or exists (select 1 from auth.identities i
                   where i.user_id = u.id and i.email = ${email} and i.provider not like 'sso:%')
      )
    limit 1`;
  return rows.length > 0;
}

export async function phoneInUse(db: Db, phone: string, aud: string, exceptUserId: string | null): Promise<boolean> {
  const rows = await db`
    select 1 from auth.users
    where phone = ${phone} and aud = ${aud} and is_sso_user is false and id is distinct from ${exceptUserId}::uuid
    limit 1`;
  return rows.length > 0;
}

export async function insertAdminUser(
  db: Db,
  user: {
    id: string;
    aud: string;
    email: string | null;
    phone: string | null;
    encryptedPassword: string;
    userMetadata: Record<string, unknown>;
    appMetadata: Record<string, unknown>;
  },
): Promise<void> {
  await db`
    insert into auth.users (
      instance_id, id, aud, role, email, phone, encrypted_password, confirmation_token, recovery_token,
      email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      is_sso_user, is_anonymous)
    values (
      ${NIL_UUID}, ${user.id}, ${user.aud}, '', ${user.email}, ${user.phone}, ${user.encryptedPassword}, '', '',
      '', '', ${db.json(user.appMetadata as never)}, ${db.json(user.userMetadata as never)}, now(), now(),
      false, false)`;
}

export async function userIdExists(db: Db, id: string): Promise<boolean> {
  return (await db`select 1 from auth.users where id = ${id}`).length > 0;
}

/** The columns an admin update writes. Timestamps given as `"now"` take the database's clock. */
export type UserPatch = {
  role?: string;
  email?: string;
  phone?: string;
  encrypted_password?: string;
  email_confirmed_at?: "now";
  phone_confirmed_at?: "now";
  banned_until?: Date | null;
  raw_app_meta_data?: Record<string, unknown> | null;
  raw_user_meta_data?: Record<string, unknown> | null;
};

export async function updateUser(db: Db, id: string, patch: UserPatch): Promise<void> {
  const has = (key: keyof UserPatch) => Object.hasOwn(patch, key);
  const json = (value: Record<string, unknown> | null | undefined) => (value == null ? null : db.json(value as never));
  await db`
    update auth.users set
      role = case when ${has("role")} then ${patch.role ?? null}::varchar else role end,
      email = case when ${has("email")} then ${patch.email ?? null}::varchar else email end,
      phone = case when ${has("phone")} then ${patch.phone ?? null}::text else phone end,
      encrypted_password = case when ${has("encrypted_password")} then ${patch.encrypted_password ?? null}::varchar
                                else encrypted_password end,
      confirmation_token = case when ${has("email_confirmed_at") || has("phone_confirmed_at")} then ''
                                else confirmation_token end,
      email_confirmed_at = case when ${has("email_confirmed_at")} then now() else email_confirmed_at end,
      phone_confirmed_at = case when ${has("phone_confirmed_at")} then now() else phone_confirmed_at end,
      banned_until = case when ${has("banned_until")} then ${patch.banned_until ?? null}::timestamptz else banned_until end,
      raw_app_meta_data = case when ${has("raw_app_meta_data")} then ${json(patch.raw_app_meta_data)}::jsonb
                               else raw_app_meta_data end,
      raw_user_meta_data = case when ${has("raw_user_meta_data")} then ${json(patch.raw_user_meta_data)}::jsonb
                                else raw_user_meta_data end,
      updated_at = now()
    where id = ${id}`;
}

/** A password change by an admin signs the user out everywhere, like Supabase Auth. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db`delete from auth.sessions where user_id = ${userId}`;
}

/** The user's identity of a provider whose provider id is the user id (`email`, `phone`). */
export async function findOwnIdentity(
  db: Db,
  userId: string,
  provider: string,
): Promise<{ id: string; identity_data: Record<string, unknown> } | null> {
  const rows = await db<{ id: string; identity_data: Record<string, unknown> }[]>`
    select id, identity_data from auth.identities where provider_id = ${userId} and provider = ${provider}`;
  return rows[0] ?? null;
}

export async function setIdentityData(db: Db, identityId: string, data: Record<string, unknown>): Promise<void> {
  await db`
    update auth.identities set identity_data = ${db.json(data as never)}, updated_at = now() where id = ${identityId}`;
}

/** Hard delete: identities, sessions (with refresh tokens and amr claims) and factors go with the user. */
export async function deleteUser(db: Db, id: string): Promise<void> {
  await db`delete from auth.users where id = ${id}`;
}

/**
 * What soft deletion writes in place of a personal value: a one-way digest of the user id and the value
 * (unpadded base64url of SHA-256). It frees the unique address for a new account without keeping it readable,
 * and stays stable, so the same value soft-deleted twice gives the same text.
 */
export function obfuscate(userId: string, value: string): string {
  return createHash("sha256").update(userId + value).digest("base64url");
}

/** Phone columns held 15 characters once; the digest is cut to fit them. */
export const obfuscatePhone = (userId: string, phone: string) => obfuscate(userId, phone).slice(0, 15);

/**
 * Soft delete, as Supabase Auth does it: the row stays with `deleted_at` set, its email, phone and pending
 * changes replaced by digests, password and one-time tokens cleared, both metadata objects emptied; every
 * identity loses its data and gets a digest for a provider id (so the same provider account signs up afresh);
 * factors and sessions (with their refresh tokens) are deleted.
 */
export async function softDeleteUser(db: Db, userId: string): Promise<void> {
  const [user] = await db<{ email: string | null; phone: string | null; email_change: string | null; phone_change: string | null }[]>`
    select email, phone, email_change, phone_change from auth.users where id = ${userId} for update`;
  if (!user) return;
  await db`
    update auth.users set
      email = ${obfuscate(userId, user.email ?? "")},
      phone = ${obfuscatePhone(userId, user.phone ?? "")},
      email_change = ${obfuscate(userId, user.email_change ?? "")},
      phone_change = ${obfuscatePhone(userId, user.phone_change ?? "")},
      encrypted_password = null,
      confirmation_token = '', recovery_token = '', email_change_token_current = '', email_change_token_new = '',
      phone_change_token = '',
      raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb,
      deleted_at = now(), updated_at = now()
    where id = ${userId}`;
  const identities = await db<{ id: string; provider: string; provider_id: string }[]>`
    select id, provider, provider_id from auth.identities where user_id = ${userId}`;
  for (const identity of identities) {
    await db`
      update auth.identities
      set identity_data = '{}'::jsonb, provider_id = ${obfuscate(userId, `${identity.provider}:${identity.provider_id}`)},
          updated_at = now()
      where id = ${identity.id}`;
  }
  await db`delete from auth.mfa_factors where user_id = ${userId}`;
  await deleteUserSessions(db, userId);
}
