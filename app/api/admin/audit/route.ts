import { NextResponse } from "next/server";
import { readAuditApiQuery } from "@/lib/admin/audit-query";
import { searchAudit } from "@/lib/admin/search-audit";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/**
 * One page of the audit log (audit.read), newest first: the filters of /admin/audit (actor, target, action,
 * from, to), `cursor` (the previous page's nextCursor) and `limit` (1–100). An unknown, repeated or invalid
 * parameter is a 400; without audit.read, 403.
 */
export const GET = withAuth(
  async (request, auth) => {
    const query = readAuditApiQuery(request.nextUrl.searchParams);
    const page = await searchAudit(auth, query.filters, { limit: query.limit, cursor: query.cursor });
    return noStore(NextResponse.json({ ok: true, ...page }));
  },
  { permission: "audit.read" },
);
