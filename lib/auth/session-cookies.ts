import type { NextRequest, NextResponse } from "next/server";

/** Expires every Supabase session cookie (`sb-…`, including chunks and PKCE verifiers) on the response. */
export function clearSessionCookies(request: NextRequest, response: NextResponse): NextResponse {
  for (const cookie of request.cookies.getAll()) {
    if (cookie.name.startsWith("sb-")) response.cookies.set(cookie.name, "", { path: "/", maxAge: 0 });
  }
  return response;
}
