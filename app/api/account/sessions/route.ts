import { NextResponse } from "next/server";
import { listSessions } from "@/lib/account/list-sessions";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/** The signed-in user's active sessions, the current one marked, for the Devices and sessions section. */
export const GET = withAuth(async (_request, auth) => {
  return noStore(NextResponse.json({ ok: true, sessions: await listSessions(auth) }));
});
