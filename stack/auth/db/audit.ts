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

export type AuditRow = { id: string; payload: Record<string, unknown>; created_at: Date; ip_address: string };

/**
 * GET /admin/audit: newest first; `columns` are payload keys matched with ILIKE `%value%` (OR'ed). The value
 * is not escaped, so `%` and `_` act as wildcards, as in Supabase Auth.
 */
export async function listAuditEntries(
  db: Db,
  opts: { columns: string[]; value: string; limit: number; offset: number },
): Promise<{ entries: AuditRow[]; count: number }> {
  const pattern = `%${opts.value}%`;
  const filter =
    opts.columns.length > 0 && opts.value !== ""
      ? opts.columns
          .map((column) => db`payload->>${column} ilike ${pattern}`)
          .reduce((acc, next) => db`${acc} or ${next}`)
      : db`true`;
  const [entries, counted] = await Promise.all([
    db<AuditRow[]>`
      select id, payload, created_at, ip_address from auth.audit_log_entries
      where instance_id = ${NIL_UUID} and (${filter})
      order by created_at desc
      limit ${opts.limit}::bigint offset ${opts.offset}::bigint`,
    db<{ count: number }[]>`
      select count(*)::int as count from auth.audit_log_entries where instance_id = ${NIL_UUID} and (${filter})`,
  ]);
  return { entries, count: counted[0]?.count ?? 0 };
}
