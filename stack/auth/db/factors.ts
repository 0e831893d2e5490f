import { randomUUID } from "node:crypto";
import type { Db } from "../app.ts";
import type { FactorRow } from "./users.ts";

export type FactorRecord = FactorRow & { user_id: string; secret: string | null };

/** How long an unverified factor that was never challenged survives (GOTRUE_MFA_FACTOR_EXPIRY_DURATION). */
const FACTOR_EXPIRY_SECONDS = 300;

const columns = (db: Db) => db`
  id, user_id, created_at, updated_at, status, friendly_name, factor_type, phone, last_challenged_at, secret`;

/** The factors of a user, in the order the user object lists them. */
export async function listFactors(db: Db, userId: string): Promise<FactorRecord[]> {
  return db<FactorRecord[]>`
    select ${columns(db)} from auth.mfa_factors where user_id = ${userId} order by created_at, id`;
}

/** A factor only when it belongs to `userId`: another user's factor id is as unknown as a made-up one. */
export async function findOwnedFactor(db: Db, userId: string, factorId: string): Promise<FactorRecord | null> {
  const rows = await db<FactorRecord[]>`
    select ${columns(db)} from auth.mfa_factors where id = ${factorId} and user_id = ${userId}`;
  return rows[0] ?? null;
}

/** Supabase Auth sweeps (for every user) unverified factors that were never challenged and are too old. */
export async function deleteExpiredFactors(db: Db): Promise<void> {
  await db`
    delete from auth.mfa_factors f
    where f.status <> 'verified'
      and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)
      and f.created_at + make_interval(secs => ${FACTOR_EXPIRY_SECONDS}) < now()`;
}

export async function insertFactor(
  db: Db,
  f: { userId: string; friendlyName: string; factorType: string; secret: string | null; phone: string | null },
): Promise<FactorRecord> {
  const rows = await db<FactorRecord[]>`
    insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret, phone)
    values (${randomUUID()}, ${f.userId}, ${f.friendlyName}, ${f.factorType}, 'unverified', now(), now(), ${f.secret}, ${f.phone})
    returning ${columns(db)}`;
  return rows[0] as FactorRecord;
}

export async function markFactorVerified(db: Db, factorId: string): Promise<void> {
  await db`update auth.mfa_factors set status = 'verified', updated_at = now() where id = ${factorId}`;
}

export async function renameFactor(db: Db, factorId: string, friendlyName: string): Promise<void> {
  await db`update auth.mfa_factors set friendly_name = ${friendlyName}, updated_at = now() where id = ${factorId}`;
}

export async function setFactorPhone(db: Db, factorId: string, phone: string): Promise<void> {
  await db`update auth.mfa_factors set phone = ${phone}, updated_at = now() where id = ${factorId}`;
}

export async function touchFactorChallengedAt(db: Db, factorId: string): Promise<void> {
  await db`update auth.mfa_factors set last_challenged_at = clock_timestamp() where id = ${factorId}`;
}

/** Deletes the factor; its challenges go with it (foreign key cascade). */
export async function deleteFactor(db: Db, factorId: string): Promise<void> {
  await db`delete from auth.mfa_factors where id = ${factorId}`;
}

/** After a successful verification the user's other unverified factors of that type are dropped. */
export async function deleteUnverifiedFactors(db: Db, userId: string, factorType: string): Promise<void> {
  await db`
    delete from auth.mfa_factors
    where user_id = ${userId} and status = 'unverified' and factor_type = ${factorType}`;
}
