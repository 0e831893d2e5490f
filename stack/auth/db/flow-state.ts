import type { Db } from "../app.ts";

export type FlowState = {
  id: string;
  user_id: string | null;
  auth_code: string | null;
  code_challenge_method: "s256" | "plain" | null;
  code_challenge: string | null;
  provider_type: string;
  provider_access_token: string | null;
  provider_refresh_token: string | null;
  created_at: Date;
  updated_at: Date;
  authentication_method: string;
  auth_code_issued_at: Date | null;
  referrer: string | null;
  linking_target_id: string | null;
};

export async function findFlowStateByAuthCode(db: Db, authCode: string): Promise<FlowState | null> {
  const rows = await db<FlowState[]>`select * from auth.flow_state where auth_code = ${authCode}`;
  return rows[0] ?? null;
}

export async function findFlowStateById(db: Db, id: string): Promise<FlowState | null> {
  const rows = await db<FlowState[]>`select * from auth.flow_state where id = ${id}`;
  return rows[0] ?? null;
}

export async function deleteFlowState(db: Db, id: string): Promise<void> {
  await db`delete from auth.flow_state where id = ${id}`;
}

/** A new OAuth flow; its id is the `state` sent to the provider. The auth code is set by the callback. */
export async function insertFlowState(
  db: Db,
  flow: {
    id: string;
    providerType: string;
    codeChallenge: string | null;
    codeChallengeMethod: "s256" | "plain" | null;
    referrer: string;
    linkingTargetId: string | null;
  },
): Promise<void> {
  await db`
    insert into auth.flow_state (id, provider_type, code_challenge, code_challenge_method, authentication_method,
                                 referrer, linking_target_id, created_at, updated_at)
    values (${flow.id}, ${flow.providerType}, ${flow.codeChallenge}, ${flow.codeChallengeMethod}, 'oauth',
            ${flow.referrer}, ${flow.linkingTargetId}, now(), now())`;
}

/** The callback's outcome; false when another callback already used the flow. */
export async function issueAuthCode(
  db: Db,
  id: string,
  issued: { authCode: string; userId: string; providerAccessToken: string; providerRefreshToken: string | null },
): Promise<boolean> {
  const rows = await db`
    update auth.flow_state
    set auth_code = ${issued.authCode}, auth_code_issued_at = now(), user_id = ${issued.userId},
        provider_access_token = ${issued.providerAccessToken}, provider_refresh_token = ${issued.providerRefreshToken},
        updated_at = now()
    where id = ${id} and auth_code is null
    returning id`;
  return rows.length > 0;
}
