import { NextResponse } from "next/server";
import { removeFactor } from "@/lib/account/mfa";
import { withStepUp } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Removes an authenticator app: `{ factorId }`. A sensitive action: with a factor, step-up is an aal2
 * session (403 `step_up_required` otherwise); the Auth server refuses an aal1 session as well.
 */
export const POST = withStepUp(async (request) => {
  const body = await readJson(request);
  return noStore(NextResponse.json({ ok: true, ...(await removeFactor(body)) }));
});
