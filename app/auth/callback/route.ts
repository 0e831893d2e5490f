import { NextResponse, type NextRequest } from "next/server";
import { noStore } from "@/lib/http/no-store";
import { getConfig } from "@/lib/config";
import { completeOAuthSignIn } from "@/lib/auth/callback";
import { safeNextPath } from "@/lib/auth/redirect";

export async function GET(request: NextRequest) {
  const { appOrigin } = getConfig();
  const params = request.nextUrl.searchParams;
  const next = safeNextPath(params.get("next"));
  const outcome = await completeOAuthSignIn(params);
  if (outcome.ok) return noStore(NextResponse.redirect(new URL(next, appOrigin), 303));
  if (outcome.reason === "unavailable") return noStore(NextResponse.redirect(new URL("/unavailable", appOrigin), 303));
  const login = new URL("/login", appOrigin);
  login.searchParams.set("error", outcome.reason);
  if (next !== "/") login.searchParams.set("next", next);
  return noStore(NextResponse.redirect(login, 303));
}
