import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan } from "./check-permission";
import { endUserSessionInput } from "./end-user-session-input";
import { runAdminOperation } from "./run-operation";

export { endUserSessionBody, endUserSessionInput } from "./end-user-session-input";

export type EndUserSessionResult = ActionResult<{ userId: string; sessionId: string }>;

/**
 * Ends one session of a user: that device is signed out on its next request (the guard and RLS find no
 * session). private.admin_end_user_session(): sessions.revoke, AAL2, the session must be this user's
 * (not_found otherwise), and the `session.end` audit row in the same transaction.
 */
export async function endUserSession(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<EndUserSessionResult> {
  return runAdminOperation(async () => {
    const { userId, sessionId } = endUserSessionInput.parse(input);
    assertCan(auth, "sessions.revoke");
    const m = auditMeta(meta);
    await withRls(auth.claims, (tx) => tx`
      select private.admin_end_user_session(${userId}::uuid, ${sessionId}::uuid, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    return { ok: true as const, userId, sessionId };
  });
}
