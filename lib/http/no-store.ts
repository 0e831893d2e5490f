import type { NextResponse } from "next/server";

/** Responses that set or clear session cookies, or carry a user's data or errors, must never be cached by a browser or a shared cache. */
export function noStore(response: NextResponse): NextResponse {
  response.headers.set("cache-control", "private, no-store");
  return response;
}
