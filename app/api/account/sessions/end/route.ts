import { NextResponse } from "next/server";
import { parseInput } from "@/lib/account/account-errors";
import { endSession, endSessionInput } from "@/lib/account/end-session";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readJson } from "@/lib/http/read-json";

/** endSessionInput drops fields it does not know; a request with any is refused here instead. */
const strictInput = endSessionInput.strict();

/**
 * Signs one of the user's other devices out: a same-origin POST with the JSON body `{ sessionId }`.
 * `ended: false` means there was no such session of theirs (already ended, or unknown).
 */
export const POST = withAuth(async (request, auth) => {
  const body = parseInput(strictInput, await readJson(request));
  const result = await endSession(auth, body, auditMetaFromHeaders(request.headers));
  return noStore(NextResponse.json({ ok: true, ...result }));
});
