import { NextResponse } from "next/server";
import { endOtherSessions } from "@/lib/account/end-other-sessions";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withStepUp } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Signs the user out of every device but this one: a same-origin POST with the JSON body `{}`. A sensitive
 * action: without step-up (AAL2, or a sign-in in the last 10 minutes) it is a 403 `step_up_required`, here
 * and again in Postgres (private.end_my_other_sessions calls private.assert_step_up).
 */
export const POST = withStepUp(async (request, auth) => {
  const body = await readJson(request);
  const result = await endOtherSessions(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, ...result }));
});
