import { NextResponse } from "next/server";
import { listIdentities } from "@/lib/account/list-identities";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/** The caller's linked identities: provider, email and when each was linked. */
export const GET = withAuth(async (_request, auth) => noStore(NextResponse.json({ ok: true, identities: await listIdentities(auth) })));
