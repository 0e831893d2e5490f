import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import type { ActionResult } from "../errors";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import { assertCan } from "./check-permission";
import { runAdminOperation } from "./run-operation";
import { unbanUserInput } from "./unban-user-input";

export { unbanUserBody, unbanUserInput } from "./unban-user-input";

export type UnbanUserResult = ActionResult<{ userId: string; previousBannedUntil: string | null; changed: boolean }>;

/**
 * Lifts a user's ban (private.admin_unban_user(): users.ban, AAL2, the `user.unban` audit row in the same
 * transaction). A user who is not banned is left as they are (`changed: false`, no audit row).
 */
export async function unbanUser(auth: AuthContext, input: unknown, meta: AuditMetaInput = {}): Promise<UnbanUserResult> {
  return runAdminOperation(async () => {
    const { userId, reason } = unbanUserInput.parse(input);
    assertCan(auth, "users.ban");
    const m = auditMeta(meta);
    const [row] = await withRls(auth.claims, (tx) => tx<{ previous_banned_until: Date | null; changed: boolean }[]>`
      select previous_banned_until, changed
      from private.admin_unban_user(${userId}::uuid, ${reason ?? null}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId})`);
    return { ok: true as const, userId, previousBannedUntil: row?.previous_banned_until?.toISOString() ?? null, changed: row?.changed ?? false };
  });
}
