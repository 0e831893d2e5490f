import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "./lib/config";
import { noStore } from "./lib/http/no-store";
import { PROVIDER_ORIGINS, securityHeaders } from "./lib/security-headers";
import { updateSession } from "./lib/supabase/middleware";

const RETRY_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Temporarily unavailable</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>Temporarily unavailable</h1><p>We couldn't reach the sign-in service to renew your session. You are still signed in.</p>
<p><a href="">Try again</a></p></body></html>`;

/**
 * Refreshes the Supabase session when it is due and adds the security headers to every page and route. It is a
 * convenience, not the guard: every protected page, route handler and server action checks the session
 * again on the server, and Postgres checks again through RLS.
 * Next 16 calls this file `proxy.ts`; the name is kept for the layout this project documents.
 */
export async function middleware(request: NextRequest) {
  const config = getConfig();
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const headers = securityHeaders({
    nonce,
    supabaseOrigin: new URL(config.supabaseUrl).origin,
    formTargets: [...PROVIDER_ORIGINS, ...config.providerOrigins],
    https: config.secureCookies,
    dev: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  // Next.js finds the nonce in the request's CSP header and puts it on the scripts it renders.
  requestHeaders.set("content-security-policy", headers["content-security-policy"] as string);
  requestHeaders.set("x-nonce", nonce);

  const { response, refreshUnavailable } = await updateSession(request, requestHeaders);
  let out = response;
  if (refreshUnavailable) {
    const isApi = request.nextUrl.pathname.startsWith("/api/");
    out = isApi
      ? NextResponse.json({ ok: false, error: { code: "auth_unavailable", message: "Sign-in service unavailable" } }, { status: 503 })
      : new NextResponse(RETRY_PAGE, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
    noStore(out).headers.set("retry-after", "5");
  }
  for (const [key, value] of Object.entries(headers)) out.headers.set(key, value);
  return out;
}

export const config = {
  // The Node.js runtime (not edge): the JWKS cache and crypto behave as in the rest of the server.
  runtime: "nodejs",
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|css|js|map|txt|woff2?)$).*)"],
};
