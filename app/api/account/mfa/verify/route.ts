import { NextResponse } from "next/server";
import { verifyEnrolment } from "@/lib/account/mfa";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Finishes adding an authenticator app: `{ factorId, code }`. The factor becomes verified and this session
 * aal2 (its new cookies are set on this response); the Auth server ends the user's other aal1 sessions.
 */
export const POST = withAuth(async (request) => {
  const body = await readJson(request);
  return noStore(NextResponse.json({ ok: true, ...(await verifyEnrolment(body)) }));
});
