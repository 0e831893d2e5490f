/**
 * Reads `expires_at` from the session cookie @supabase/ssr writes (`sb-<ref>-auth-token`, possibly split into
 * `.0`, `.1`… chunks, `base64-` + base64url JSON). Untrusted: only used to decide whether a refresh is due.
 */
export function storedSessionExpiry(cookies: { name: string; value: string }[]): number | null {
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
    const expiresAt = (parsed as { expires_at?: unknown } | null)?.expires_at;
    return typeof expiresAt === "number" && Number.isFinite(expiresAt) ? expiresAt : null;
  } catch {
    return null;
  }
}
