import { NextResponse } from "next/server";
import { startIdentityLink } from "@/lib/account/link-identity";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Starts linking Google or Apple to this account: a same-origin POST of `{ "provider": "apple" }`. Answers
 * the provider URL the browser goes to; the Auth server brings the person back through /auth/callback to the
 * identities page.
 */
export const POST = withAuth(async (request, auth) => {
  const body = await readJson(request);
  return noStore(NextResponse.json({ ok: true, ...(await startIdentityLink(auth, body)) }));
});
