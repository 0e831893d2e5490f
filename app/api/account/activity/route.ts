import { NextResponse } from "next/server";
import { listSecurityEvents } from "@/lib/account/list-security-events";
import { readActivityQuery } from "@/lib/account/security-activity-query";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/** One page of the signed-in user's security activity, newest first: `?cursor=` (the previous page's nextCursor) and `?limit=`. */
export const GET = withAuth(async (request, auth) => {
  const query = readActivityQuery(request.nextUrl.searchParams);
  return noStore(NextResponse.json({ ok: true, ...(await listSecurityEvents(auth, query)) }));
});
