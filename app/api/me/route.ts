import { NextResponse } from "next/server";
import { getProfile } from "@/lib/account/get-profile";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/** The signed-in user and profile for client components (React Query); 401 with cleared cookies otherwise. */
export const GET = withAuth(async (_request, auth) => {
  const profile = await getProfile(auth);
  return noStore(NextResponse.json({ ok: true, user: { id: auth.userId, email: auth.email, role: auth.role }, profile }));
});
