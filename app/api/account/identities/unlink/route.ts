import { NextResponse } from "next/server";
import { unlinkIdentity } from "@/lib/account/unlink-identity";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withStepUp } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Unlinks one identity: a same-origin POST of `{ "identityId": "<uuid>" }`. A sensitive action (403
 * `step_up_required` without step-up, here and in Postgres); the last identity is refused with a reason.
 */
export const POST = withStepUp(async (request, auth) => {
  const body = await readJson(request);
  const result = await unlinkIdentity(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, ...result }));
});
