import { NextResponse } from "next/server";
import { listFactors } from "@/lib/account/mfa";
import { withAuth } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";

/** The caller's authenticator apps (TOTP factors), verified or not. */
export const GET = withAuth(async () => noStore(NextResponse.json({ ok: true, factors: await listFactors() })));
