import { NextResponse, type NextRequest } from "next/server";
import { listUserAudit, readUserAuditQuery } from "@/lib/admin/list-user-audit";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/**
 * One page of a user's audit trail for staff (users.read and audit.read), newest first: `?cursor=` (the
 * previous page's nextCursor) and `?limit=` (1–50). A malformed id, cursor or limit, or any other parameter,
 * is a 400; an unknown user has an empty trail.
 */
export async function GET(request: NextRequest, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params;
  return withAuth(
    async (req, auth) => {
      const query = readUserAuditQuery(req.nextUrl.searchParams);
      return noStore(NextResponse.json({ ok: true, ...(await listUserAudit(auth, id, query)) }));
    },
    { permission: "audit.read" },
  )(request);
}
