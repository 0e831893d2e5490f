import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan, assertNotSelf } from "./check-permission";
import { recordAuditEvent } from "./record-audit-event";
import { runAdminOperation } from "./run-operation";

export const revokeSessionsInput = z.object({ userId: z.uuid() });

export type RevokeSessionsResult = ActionResult<{ userId: string; sessionsRevoked: number }>;

/**
 * Signs a user out everywhere: deletes their auth.sessions rows (refresh tokens go with them), so their
 * access tokens are refused by the guard and by RLS on the next request although they have not expired.
 * The deletion and its audit row share one transaction, run as the acting staff member.
 */
export async function revokeSessions(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<RevokeSessionsResult> {
  return runAdminOperation(async () => {
    const { userId } = revokeSessionsInput.parse(input);
    assertCan(auth, "sessions.revoke");
    assertNotSelf(auth, userId, "force-sign-out");
    const sessionsRevoked = await withRls(auth.claims, async (tx) => {
      const [row] = await tx<{ removed: number }[]>`select private.revoke_user_sessions(${userId}::uuid) as removed`;
      const removed = row?.removed ?? 0;
      await recordAuditEvent(tx, auth, { action: "sessions.revoke", targetUserId: userId, after: { sessions_revoked: removed } }, auditMeta(meta));
      return removed;
    });
    return { ok: true as const, userId, sessionsRevoked };
  });
}
