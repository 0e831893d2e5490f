import type { NextRequest } from "next/server";
import { updateSession } from "./lib/supabase/middleware";

/**
 * Refreshes the Supabase session on every page and route request. It is a convenience, not the guard:
 * every protected page, route handler and server action checks the session again on the server.
 * Next 16 calls this file `proxy.ts`; the name is kept for the layout this project documents.
 */
export async function middleware(request: NextRequest) {
  return updateSession(request, new Headers(request.headers));
}

export const config = {
  // The Node.js runtime (not edge): the JWKS cache and crypto behave as in the rest of the server.
  runtime: "nodejs",
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|css|js|map|txt|woff2?)$).*)"],
};
