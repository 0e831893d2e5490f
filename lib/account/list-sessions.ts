import "server-only";
import type { AuthContext } from "../auth/guard";
import { withRls, type Tx } from "../db/rls";
import { parseUserAgent, type Device } from "./device";

export type AuthAssuranceLevel = "aal1" | "aal2" | "aal3";

/** One of the signed-in user's sessions (a signed-in browser or app), as the Devices and sessions page shows it. */
export type AccountSession = {
  id: string;
  createdAt: string | null;
  /** The later of the last token refresh and the last change to the session. */
  lastActiveAt: string | null;
  userAgent: string | null;
  device: Device;
  ip: string | null;
  aal: AuthAssuranceLevel | null;
  /** The session of the token this request was made with. */
  current: boolean;
};

type SessionRow = {
  id: string;
  created_at: Date | null;
  last_active_at: Date | null;
  user_agent: string | null;
  ip: string | null;
  aal: string | null;
  is_current: boolean;
};

const AAL: readonly string[] = ["aal1", "aal2", "aal3"] satisfies AuthAssuranceLevel[];

/**
 * The caller's sessions that are still active, most recently active first, read in the caller's RLS-scoped
 * transaction. private.list_my_sessions() decides whose and which: the token's user only, and nothing at all
 * when the token's own session is no longer active.
 */
export async function readSessions(tx: Tx): Promise<AccountSession[]> {
  const rows = await tx<SessionRow[]>`
    select id, created_at, last_active_at, user_agent, ip, aal, is_current from private.list_my_sessions()`;
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at?.toISOString() ?? null,
    lastActiveAt: r.last_active_at?.toISOString() ?? null,
    userAgent: r.user_agent,
    device: parseUserAgent(r.user_agent),
    ip: r.ip,
    aal: r.aal !== null && AAL.includes(r.aal) ? (r.aal as AuthAssuranceLevel) : null,
    current: r.is_current,
  }));
}

/** The signed-in user's active sessions, through RLS as that user (its own transaction). */
export async function listSessions(auth: AuthContext): Promise<AccountSession[]> {
  return withRls(auth.claims, readSessions);
}
