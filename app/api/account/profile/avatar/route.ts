import { NextResponse } from "next/server";
import { chooseAvatar } from "@/lib/account/choose-avatar";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/**
 * Chooses the signed-in user's avatar: a same-origin POST with the JSON body `{ avatarUrl }`, the picture URL
 * of one of their linked identities or null for initials. Any other URL is a 400.
 */
export const POST = withAuth(async (request, auth) => {
  const body = await readJson(request);
  const result = await chooseAvatar(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, ...result }));
});
