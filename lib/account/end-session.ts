import "server-only";
import { z } from "zod";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { accountDbError, currentSessionError, parseInput } from "./account-errors";

export const endSessionInput = z.object({ sessionId: z.uuid({ error: "Choose a session" }) });

export type EndSessionInput = z.infer<typeof endSessionInput>;

/** `ended` is false when the caller has no such session: already ended, unknown, or another user's. */
export type EndSessionResult = { sessionId: string; ended: boolean };

/**
 * Signs one of the caller's other devices out: private.end_my_session() deletes the session row (its refresh
 * tokens go with it) and writes the audit row in the same transaction, so that device's access token is
 * refused by the guard and by RLS on its next request. Only the caller's own sessions can be ended; another
 * user's session id answers exactly as an unknown one does. The current session is ended by signing out.
 */
export async function endSession(auth: AuthContext, raw: unknown, meta: AuditMetaInput = {}): Promise<EndSessionResult> {
  const { sessionId } = parseInput(endSessionInput, raw);
  if (sessionId.toLowerCase() === auth.sessionId.toLowerCase()) throw currentSessionError();
  const m = auditMeta(meta);
  try {
    const [row] = await withRls(auth.claims, (tx) => tx<{ ended: boolean }[]>`
      select private.end_my_session(${sessionId}::uuid, ${m.ip}::inet, ${m.userAgent}, ${m.requestId}) as ended`);
    return { sessionId, ended: row?.ended === true };
  } catch (error) {
    throw accountDbError(error);
  }
}
