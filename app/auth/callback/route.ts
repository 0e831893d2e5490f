import { NextResponse, type NextRequest } from "next/server";
import { noStore } from "@/lib/http/no-store";
import { getConfig } from "@/lib/config";
import { completeOAuthSignIn } from "@/lib/auth/callback";
import { safeNextPath } from "@/lib/auth/redirect";
import { completeIdentityLink, linkingProvider, linkOutcomePath } from "@/lib/account/complete-identity-link";
import { auditMetaFromHeaders } from "@/lib/audit/meta";

export async function GET(request: NextRequest) {
  const { appOrigin } = getConfig();
  const params = request.nextUrl.searchParams;
  const linking = linkingProvider(params);
  if (linking) {
    const outcome = await completeIdentityLink(params, linking, auditMetaFromHeaders(request.headers));
    if (!outcome.ok && outcome.reason === "unavailable") return noStore(NextResponse.redirect(new URL("/unavailable", appOrigin), 303));
    return noStore(NextResponse.redirect(new URL(linkOutcomePath(params.get("next"), outcome), appOrigin), 303));
  }
  const next = safeNextPath(params.get("next"));
  const outcome = await completeOAuthSignIn(params);
  if (outcome.ok) return noStore(NextResponse.redirect(new URL(next, appOrigin), 303));
  if (outcome.reason === "unavailable") return noStore(NextResponse.redirect(new URL("/unavailable", appOrigin), 303));
  const login = new URL("/login", appOrigin);
  login.searchParams.set("error", outcome.reason);
  if (next !== "/") login.searchParams.set("next", next);
  return noStore(NextResponse.redirect(login, 303));
}
