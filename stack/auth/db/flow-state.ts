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
