import "server-only";
import { z } from "zod";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { accountDbError, parseInput } from "./account-errors";

/** Nothing to choose: every session but the current one ends. */
export const endOtherSessionsInput = z.object({}).strict();

export type EndOtherSessionsResult = { sessionsEnded: number };

/**
 * Signs the caller out everywhere else: private.end_my_other_sessions() deletes every session of theirs but
 * the one of this request, and writes the audit row in the same transaction when it ended any. The ended
 * devices' access tokens are refused on their next request.
 */
export async function endOtherSessions(auth: AuthContext, raw: unknown = {}, meta: AuditMetaInput = {}): Promise<EndOtherSessionsResult> {
  parseInput(endOtherSessionsInput, raw);
  const m = auditMeta(meta);
  try {
    const [row] = await withRls(auth.claims, (tx) => tx<{ ended: number }[]>`
      select private.end_my_other_sessions(${m.ip}::inet, ${m.userAgent}, ${m.requestId}) as ended`);
    return { sessionsEnded: row?.ended ?? 0 };
  } catch (error) {
    throw accountDbError(error);
  }
}
