import { randomUUID } from "node:crypto";
import type { Db } from "../app.ts";

export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export type AuditActor =
  | { kind: "user"; id: string; email: string | null; fullName: unknown }
  | { kind: "service_role" };

export function userActor(u: { id: string; email: string | null; raw_user_meta_data: Record<string, unknown> | null }): AuditActor {
  return { kind: "user", id: u.id, email: u.email, fullName: u.raw_user_meta_data?.full_name };
}

/**
 * Appends one entry to auth.audit_log_entries in Supabase Auth's payload shape. Admin actions have the nil
 * uuid as actor and `service_role` as username; `ip_address` is only filled in by the factor actions.
 */
export async function writeAudit(
  db: Db,
  entry: { actor: AuditActor; action: string; logType: string; traits?: Record<string, unknown>; ip?: string },
): Promise<void> {
  const payload: Record<string, unknown> =
    entry.actor.kind === "service_role"
      ? { action: entry.action, actor_id: NIL_UUID, actor_username: "service_role", actor_via_sso: false, log_type: entry.logType }
      : {
          action: entry.action,
          actor_id: entry.actor.id,
          ...(typeof entry.actor.fullName === "string" && entry.actor.fullName !== "" ? { actor_name: entry.actor.fullName } : {}),
          actor_username: entry.actor.email ?? "",
          actor_via_sso: false,
          log_type: entry.logType,
        };
  if (entry.traits) payload.traits = entry.traits;
  await db`
    insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
    values (${NIL_UUID}, ${randomUUID()}, ${db.json(payload as never)}, clock_timestamp(), ${entry.ip ?? ""})`;
}
