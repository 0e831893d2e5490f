import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { authenticate } from "@/lib/auth/guard";
import { safeNextPath } from "@/lib/auth/redirect";
import { clearSessionCookies } from "@/lib/auth/session-cookies";
import { noStore } from "@/lib/http/no-store";

const REASONS = new Set(["session_expired", "banned"]);

/**
 * Where pages send a request whose session failed the guard: the session cookies are cleared and the
 * browser goes to /login. A live session is left alone, so a cross-site link cannot sign anyone out.
 */
export async function GET(request: NextRequest) {
  const { appOrigin } = getConfig();
  const params = request.nextUrl.searchParams;
  const reason = REASONS.has(params.get("reason") ?? "") ? (params.get("reason") as string) : "session_expired";
  const next = safeNextPath(params.get("next"), "/account");
  const login = new URL("/login", appOrigin);
  login.searchParams.set("reason", reason);
  login.searchParams.set("next", next);
  // A session that still owes its second-factor code is live too: it goes back to the code prompt, signed in.
  const current = await authenticate(undefined, { allowMfaPending: true });
  if (current.ok) return NextResponse.redirect(new URL(next, appOrigin), 303);
  return clearSessionCookies(request, noStore(NextResponse.redirect(login, 303)));
}
