/**
 * Reads the session cookie @supabase/ssr writes (`sb-<ref>-auth-token`, possibly split into
 * `.0`, `.1`… chunks, `base64-` + base64url JSON). Untrusted: only used to decide whether a refresh is due.
 */
export function storedSessionExpiry(cookies: { name: string; value: string }[]): number | null {
  const session = storedSession(cookies);
  const expiresAt = session?.expires_at;
  return typeof expiresAt === "number" && Number.isFinite(expiresAt) ? expiresAt : null;
}

/** The access token stored in the session cookie, unverified, or null. */
export function storedAccessToken(cookies: { name: string; value: string }[]): string | null {
  const token = storedSession(cookies)?.access_token;
  return typeof token === "string" && token.length > 0 ? token : null;
}

function storedSession(cookies: { name: string; value: string }[]): Record<string, unknown> | null {
  const parts = cookies
    .map((c) => ({ c, m: /^sb-.+-auth-token(?:\.(\d+))?$/.exec(c.name) }))
    .filter((x): x is { c: { name: string; value: string }; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1] ?? -1) - Number(b.m[1] ?? -1))
    .map((x) => x.c.value);
  if (parts.length === 0) return null;
  let raw = parts.join("");
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return null;
  }
  try {
    const json = raw.startsWith("base64-") ? Buffer.from(raw.slice(7), "base64url").toString("utf8") : raw;
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
