import { randomUUID } from "node:crypto";
import type { Db } from "../app.ts";

export type ChallengeRecord = {
  id: string;
  factor_id: string;
  created_at: Date;
  verified_at: Date | null;
  ip_address: string;
};

export async function insertChallenge(db: Db, factorId: string, ip: string): Promise<ChallengeRecord> {
  const rows = await db<ChallengeRecord[]>`
    insert into auth.mfa_challenges (id, factor_id, created_at, ip_address)
    values (${randomUUID()}, ${factorId}, now(), ${ip}::inet)
    returning id, factor_id, created_at, verified_at, host(ip_address) as ip_address`;
  return rows[0] as ChallengeRecord;
}

/** The challenge of that factor, locked so that two verifications of one challenge cannot both pass. */
export async function lockChallenge(db: Db, factorId: string, challengeId: string): Promise<ChallengeRecord | null> {
  const rows = await db<ChallengeRecord[]>`
    select id, factor_id, created_at, verified_at, host(ip_address) as ip_address
    from auth.mfa_challenges where id = ${challengeId} and factor_id = ${factorId}
    for update`;
  return rows[0] ?? null;
}

export async function markChallengeVerified(db: Db, challengeId: string): Promise<void> {
  await db`update auth.mfa_challenges set verified_at = now() where id = ${challengeId}`;
}

export async function deleteChallenge(db: Db, challengeId: string): Promise<void> {
  await db`delete from auth.mfa_challenges where id = ${challengeId}`;
}
