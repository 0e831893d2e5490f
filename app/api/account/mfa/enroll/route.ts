import { NextResponse } from "next/server";
import { enrolTotp } from "@/lib/account/mfa";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Starts adding an authenticator app: `{ name }`. Answers the QR code (a data: URI of an image) and the
 * secret, shown once; the factor counts only after its first code (POST /api/account/mfa/verify). With a
 * factor already, the session is aal2 (the guard holds any other at the code prompt).
 */
export const POST = withAuth(async (request) => {
  const body = await readJson(request);
  return noStore(NextResponse.json({ ok: true, enrolment: await enrolTotp(body) }));
});
