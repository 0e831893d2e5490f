import "server-only";
import type { AuthContext } from "../auth/guard";
import type { Tx } from "../db/rls";
import type { AuditMeta } from "../audit/meta";

export type AuditAction = "user.ban" | "sessions.revoke" | "role.assign" | "user.delete";

/** A flat record of what changed; stored as jsonb. */
export type AuditDetails = Record<string, string | number | boolean | null>;

export type AuditEvent = {
  action: AuditAction;
  targetUserId: string;
  before?: AuditDetails | null;
  after?: AuditDetails | null;
};

/**
 * Appends one audit row in the caller's RLS-scoped transaction (`tx` from withRls), so that it commits or
 * rolls back with the change it records. RLS makes the actor the signed-in admin: actor_id must be auth.uid().
 */
export async function recordAuditEvent(tx: Tx, auth: AuthContext, event: AuditEvent, meta: AuditMeta): Promise<void> {
  const json = (value: AuditDetails | null | undefined) => (value == null ? null : tx.json(value));
  await tx`
    insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, before, after)
    values (${auth.userId}, ${event.action}, ${event.targetUserId}, ${meta.ip}::inet, ${meta.userAgent}, ${meta.requestId},
            ${json(event.before)}, ${json(event.after)})`;
}
