/**
 * The one validator for every post-sign-in redirect target (`next`). Only same-origin relative paths under an
 * allowlisted prefix pass; anything else — absolute or protocol-relative URLs, backslashes, control
 * characters, encoded tricks — falls back to `/`.
 */
export const REDIRECT_ALLOWLIST = ["/", "/account", "/settings", "/admin"] as const;

const PROBE_ORIGIN = "http://next.invalid";

export function safeNextPath(input: unknown, fallback = "/"): string {
  if (typeof input !== "string" || input.length === 0 || input.length > 2048) return fallback;
  // Browsers strip tabs/newlines and treat `\` as `/`, so such inputs can turn into another origin.
  if (/[\u0000-\u001f\u007f\\]/.test(input)) return fallback;
  if (!input.startsWith("/") || input.startsWith("//")) return fallback;
  let url: URL;
  try {
    url = new URL(input, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  const path = url.pathname;
  if (path.startsWith("//")) return fallback;
  const allowed = REDIRECT_ALLOWLIST.some((prefix) =>
    prefix === "/" ? path === "/" : path === prefix || path.startsWith(`${prefix}/`),
  );
  if (!allowed) return fallback;
  return `${path}${url.search}${url.hash}`;
}
