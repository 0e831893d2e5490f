import type { Db } from "../app.ts";

export type IdentityRecord = {
  id: string;
  provider_id: string;
  user_id: string;
  provider: string;
  identity_data: Record<string, unknown>;
  email: string | null;
};

export async function findIdentityByProviderId(db: Db, provider: string, providerId: string): Promise<IdentityRecord | null> {
  const rows = await db<IdentityRecord[]>`
    select id, provider_id, user_id, provider, identity_data, email
    from auth.identities where provider_id = ${providerId} and provider = ${provider}`;
  return rows[0] ?? null;
}

/**
 * Identities whose email matches one of `emails`. Supabase Auth compares with `ilike any`, so `_` and `%`
 * in an address act as wildcards there too.
 */
export async function findIdentitiesByEmails(db: Db, emails: string[]): Promise<IdentityRecord[]> {
  if (emails.length === 0) return [];
  return db<IdentityRecord[]>`
    select id, provider_id, user_id, provider, identity_data, email
    from auth.identities where email ilike any (${emails}::text[])`;
}

export async function insertIdentity(
  db: Db,
  identity: { id: string; userId: string; provider: string; providerId: string; identityData: Record<string, unknown> },
): Promise<void> {
  await db`
    insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${identity.id}, ${identity.providerId}, ${identity.userId}, ${db.json(identity.identityData as never)},
            ${identity.provider}, now(), now(), now())`;
}

/** A returning sign-in replaces the identity's data (keys the provider no longer sends are lost). */
export async function recordIdentitySignIn(db: Db, id: string, identityData: Record<string, unknown>): Promise<void> {
  await db`
    update auth.identities
    set identity_data = ${db.json(identityData as never)}, last_sign_in_at = now(), updated_at = now()
    where id = ${id}`;
}

/** The user's providers in the order their identities were created, without repeats. */
export async function providersOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db<{ provider: string }[]>`
    select provider from auth.identities where user_id = ${userId} order by created_at, id`;
  return [...new Set(rows.map((r) => r.provider))];
}

export async function deleteIdentity(db: Db, id: string): Promise<void> {
  await db`delete from auth.identities where id = ${id}`;
}
