import { NextResponse } from "next/server";
import { verifySignInCode } from "@/lib/account/mfa";
import { authorizeRequest } from "@/lib/auth/guard";
import { safeNextPath } from "@/lib/auth/redirect";
import { withSameOrigin } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * The code prompt's check: `{ code, next? }` from a signed-in session that still owes its second factor
 * (the one route, with the prompt's page, that such a session may use). A right code raises the session to
 * aal2 (new cookies on this response) and answers where to continue: `next` if allowlisted, else /account.
 */
export const POST = withSameOrigin(async (request) => {
  await authorizeRequest(undefined, { allowMfaPending: true });
  const body = await readJson(request);
  const { next } = await verifySignInCode(body);
  return noStore(NextResponse.json({ ok: true, next: safeNextPath(next, "/account") }));
});
