import { NextResponse } from "next/server";
import { updateProfile } from "@/lib/account/update-profile";
import { withAuth } from "@/lib/auth/route";
import { AppError } from "@/lib/errors";
import { noStore } from "@/lib/http/no-store";

/** Updates the signed-in user's display name (same-origin POST with a JSON body `{ displayName }`). */
export const POST = withAuth(async (request, auth) => {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new AppError({ code: "invalid_input", message: "Send a JSON body" });
  }
  const profile = await updateProfile(auth, body);
  return noStore(NextResponse.json({ ok: true, profile }));
});
