import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { AppError, type ActionResult } from "../errors";
import { createAdminClient } from "../supabase/admin";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertAuthorizedInDb, assertCan, assertNotSelf } from "./check-permission";
import { recordAuditEvent } from "./record-audit-event";
import { authAdminError, runAdminOperation } from "./run-operation";

/** A positive Go duration, as the Auth server's `ban_duration` takes it ("24h", "90m", "876000h"). */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export const banUserInput = z.object({
  userId: z.uuid(),
  /** About a hundred years unless given: a ban that does not end by itself. */
  duration: z
    .string()
    .regex(GO_DURATION, { error: "must be a duration such as 24h or 30m" })
    .refine((d) => /[1-9]/.test(d), { error: "must be longer than zero" })
    .default("876000h"),
  reason: z.string().trim().max(500).optional(),
});

export type BanUserResult = ActionResult<{ userId: string; bannedUntil: string | null; sessionsRevoked: number }>;

/**
 * Bans a user through the Auth admin API (no new sign-in or refresh), then deletes their sessions so that
 * their unexpired access tokens die on the next request too — Supabase Auth keeps the sessions of a banned
 * user. The deletion and the audit row share one transaction; the ban itself cannot join it. If that
 * transaction fails the ban stands without revoked sessions: the error says so, and running the ban again
 * is safe.
 */
export async function banUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<BanUserResult> {
  return runAdminOperation(async () => {
    const { userId, duration, reason } = banUserInput.parse(input);
    assertCan(auth, "users.ban");
    assertNotSelf(auth, userId, "ban");
    await assertAuthorizedInDb(auth, "users.ban");

    const admin = createAdminClient().auth.admin;
    const current = await admin.getUserById(userId);
    if (current.error) throw authAdminError(current.error);
    const updated = await admin.updateUserById(userId, { ban_duration: duration });
    if (updated.error) throw authAdminError(updated.error);
    const bannedUntil = updated.data.user.banned_until ?? null;

    try {
      const sessionsRevoked = await withRls(auth.claims, async (tx) => {
        const [row] = await tx<{ removed: number }[]>`select private.revoke_user_sessions(${userId}::uuid) as removed`;
        const removed = row?.removed ?? 0;
        await recordAuditEvent(
          tx,
          auth,
          {
            action: "user.ban",
            targetUserId: userId,
            before: { banned_until: current.data.user.banned_until ?? null },
            after: { banned_until: bannedUntil, ban_duration: duration, sessions_revoked: removed, reason: reason ?? null },
          },
          auditMeta(meta),
        );
        return removed;
      });
      return { ok: true as const, userId, bannedUntil, sessionsRevoked };
    } catch (error) {
      console.error(error);
      throw new AppError({ code: "internal", message: "The user is banned, but their sessions could not be revoked. Ban them again." });
    }
  });
}
