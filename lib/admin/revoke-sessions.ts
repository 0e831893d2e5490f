import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan } from "./check-permission";
import { revokeSessionsInput } from "./revoke-sessions-input";
import { runAdminOperation } from "./run-operation";

export { revokeSessionsBody, revokeSessionsInput } from "./revoke-sessions-input";

export type RevokeSessionsResult = ActionResult<{ userId: string; sessionsRevoked: number }>;

/**
 * Signs a user out everywhere: deletes their auth.sessions rows (refresh tokens go with them), so their
 * access tokens are refused by the guard and by RLS on the next request although they have not expired.
 * private.admin_revoke_sessions(): sessions.revoke, AAL2, not the actor's own account, and the
 * `sessions.revoke` audit row in the same transaction.
 */
export async function revokeSessions(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<RevokeSessionsResult> {
  return runAdminOperation(async () => {
    const { userId } = revokeSessionsInput.parse(input);
    assertCan(auth, "sessions.revoke");
    const m = auditMeta(meta);
    const [row] = await withRls(auth.claims, (tx) => tx<{ removed: number }[]>`
      select private.admin_revoke_sessions(${userId}::uuid, null, ${m.ip}::inet, ${m.userAgent}, ${m.requestId}) as removed`);
    return { ok: true as const, userId, sessionsRevoked: row?.removed ?? 0 };
  });
}
