import type { Db } from "../app.ts";
import { providersOfUser } from "./identities.ts";

/** The SQL of provider sign-ups, sign-ins and identity linking on `auth.users`. */

/** Users whose email matches one of `emails` (Supabase Auth's `ilike any`), SSO users excluded. */
export async function findUserIdsByEmails(db: Db, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db<{ id: string }[]>`
    select id from auth.users where email ilike any (${emails}::text[]) and is_sso_user is false`;
  return rows.map((r) => r.id);
}

export async function isEmailTaken(db: Db, email: string, aud: string): Promise<boolean> {
  if (email === "") return false;
  const rows = await db`
    select 1 from auth.users where lower(email) = lower(${email}) and aud = ${aud} and is_sso_user is false limit 1`;
  return rows.length > 0;
}

/**
 * A new user as Supabase Auth's sign-up writes it: the string columns its Go model cannot read as NULL
 * are empty strings, and a provider user has no password (an empty one).
 */
export async function insertProviderUser(
  db: Db,
  user: {
    id: string;
    email: string | null;
    aud: string;
    role: string;
    appMetadata: Record<string, unknown>;
    userMetadata: Record<string, unknown>;
  },
): Promise<void> {
  await db`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token,
      email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, is_super_admin,
      created_at, updated_at, is_sso_user, is_anonymous)
    values (
      '00000000-0000-0000-0000-000000000000', ${user.id}, ${user.aud}, ${user.role}, ${user.email}, '', '', '',
      '', '', ${db.json(user.appMetadata as never)}, ${db.json(user.userMetadata as never)}, null,
      now(), now(), false, false)`;
}

/** Confirms the email and records `email_verified: true` in user_metadata. */
export async function confirmUserEmail(db: Db, userId: string): Promise<void> {
  await db`
    update auth.users
    set email_confirmed_at = now(), confirmation_token = '',
        raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb,
        updated_at = now()
    where id = ${userId}`;
}

/** Top-level merge: the provider's keys overwrite, other keys stay (a profile edit of `full_name` does not). */
export async function mergeUserMetadata(db: Db, userId: string, patch: Record<string, unknown>): Promise<void> {
  await db`
    update auth.users
    set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${db.json(patch as never)}, updated_at = now()
    where id = ${userId}`;
}

/** `app_metadata.providers` from the user's identities, and `provider` = the first of them. */
export async function syncAppMetadataProviders(db: Db, userId: string): Promise<void> {
  const providers = await providersOfUser(db, userId);
  const patch: Record<string, unknown> = { providers };
  if (providers.length > 0) patch.provider = providers[0];
  await db`
    update auth.users
    set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || ${db.json(patch as never)}, updated_at = now()
    where id = ${userId}`;
}

export async function recordUserSignIn(db: Db, userId: string): Promise<void> {
  await db`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
}

/**
 * After an identity is unlinked: keeps the user's email if a remaining identity has it, else takes the
 * email of the first identity whose address no other user (same audience) has. False when every candidate
 * is taken.
 */
export async function updateEmailFromIdentities(db: Db, userId: string): Promise<boolean> {
  const users = await db<{ email: string | null; aud: string | null }[]>`
    select email, aud from auth.users where id = ${userId}`;
  const user = users[0];
  if (!user) return true;
  const identities = await db<{ email: string | null }[]>`
    select email from auth.identities where user_id = ${userId} order by created_at, id`;
  const current = user.email ?? "";
  if (identities.some((i) => (i.email ?? "") === current)) return true;
  for (const identity of identities) {
    const email = identity.email ?? "";
    const taken = await db`
      select 1 from auth.users
      where lower(email) = lower(${email}) and aud = ${user.aud ?? ""} and is_sso_user is false and id <> ${userId}
      limit 1`;
    if (taken.length > 0) continue;
    await db`
      update auth.users
      set email = ${email === "" ? null : email}, updated_at = now(),
          email_confirmed_at = case when ${email} = '' then null else email_confirmed_at end
      where id = ${userId}`;
    return true;
  }
  return false;
}

/** Linking an identity to an anonymous user makes it a permanent one with that email confirmed. */
export async function makePermanent(db: Db, userId: string): Promise<void> {
  await db`update auth.users set is_anonymous = false, updated_at = now() where id = ${userId}`;
}
