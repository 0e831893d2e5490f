import { NextResponse } from "next/server";
import { deleteAccount } from "@/lib/account/delete-account";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withStepUp } from "@/lib/auth/route";
import { clearSessionCookies } from "@/lib/auth/session-cookies";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Deletes the signed-in user's account: a same-origin POST with the JSON body `{ confirmation: "DELETE" }`,
 * from a session that passes step-up (403 `step_up_required` otherwise). On success the session cookies are
 * cleared and the client goes to `redirectTo`, the goodbye page.
 */
export const POST = withStepUp(async (request, auth) => {
  const body = await readJson(request);
  await deleteAccount(auth, body, auditMetaFromHeaders(request.headers));
  return clearSessionCookies(request, noStore(NextResponse.json({ ok: true, redirectTo: "/goodbye" })));
});
