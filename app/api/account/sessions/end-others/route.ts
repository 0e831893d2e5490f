import { NextResponse } from "next/server";
import { endOtherSessions } from "@/lib/account/end-other-sessions";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/** Signs the user out of every device but this one: a same-origin POST with the JSON body `{}`. */
export const POST = withAuth(async (request, auth) => {
  const body = await readJson(request);
  const result = await endOtherSessions(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, ...result }));
});
