import { NextResponse } from "next/server";
import { getAccountProfile } from "@/lib/account/get-account-profile";
import { updateProfile } from "@/lib/account/update-profile";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/** The Profile section's data for the account pages' client components (React Query). */
export const GET = withAuth(async (_request, auth) => {
  return noStore(NextResponse.json({ ok: true, profile: await getAccountProfile(auth) }));
});

/** Changes the signed-in user's display name: a same-origin POST with the JSON body `{ displayName }`. */
export const POST = withAuth(async (request, auth) => {
  const body = await readJson(request);
  const profile = await updateProfile(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, profile }));
});
