/**
 * The response headers every page gets. The CSP allows scripts only with this response's nonce (Next.js
 * reads it from the request's CSP header and stamps its own scripts), forbids framing, and limits where
 * forms may lead: the sign-in form's POST is redirected to the Auth server and on to the provider.
 */
export function securityHeaders(opts: {
  nonce: string;
  supabaseOrigin: string;
  formTargets: string[];
  https: boolean;
  dev: boolean;
}): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    `connect-src 'self'${opts.dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${[opts.supabaseOrigin, ...opts.formTargets].join(" ")}`,
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
  const headers: Record<string, string> = {
    "content-security-policy": csp,
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
  if (opts.https) headers["strict-transport-security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/** The real providers' authorization origins (a hosted project redirects there after the Auth server). */
export const PROVIDER_ORIGINS = ["https://accounts.google.com", "https://appleid.apple.com"];
