import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { banUserInput, goDurationSeconds } from "./ban-user-input";
import { assertCan } from "./check-permission";
import { runAdminOperation } from "./run-operation";

export { banUserBody, banUserInput } from "./ban-user-input";

export type BanUserResult = ActionResult<{ userId: string; bannedUntil: string; sessionsRevoked: number }>;

/**
 * Bans a user for `duration` (a Go duration, as the Auth server's ban_duration) with a required reason, and
 * ends their sessions: their next request is signed out and they cannot sign in or refresh until the ban
 * ends or is lifted. One transaction in Postgres (private.admin_ban_user()): users.ban, an AAL2 session, not
 * the actor's own account, the ban, the sessions and the `user.ban` audit row.
 */
export async function banUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<BanUserResult> {
  return runAdminOperation(async () => {
    const { userId, duration, reason } = banUserInput.parse(input);
    assertCan(auth, "users.ban");
    const seconds = goDurationSeconds(duration) ?? 0;
    const m = auditMeta(meta);
    const [row] = await withRls(auth.claims, (tx) => tx<{ banned_until: Date; sessions_revoked: number }[]>`
      select banned_until, sessions_revoked
      from private.admin_ban_user(${userId}::uuid, ${seconds}::numeric, ${duration}, ${reason}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    return { ok: true as const, userId, bannedUntil: row!.banned_until.toISOString(), sessionsRevoked: row!.sessions_revoked };
  });
}
