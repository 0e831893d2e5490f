import { parseCookieHeader } from "@supabase/ssr";
import { hash } from "node:crypto";

/**
 * What the middleware and the guard need from the session cookie @supabase/ssr writes
 * (`sb-<ref>-auth-token`, possibly split into `.0`, `.1`… chunks, `base64-` + base64url JSON): the access
 * token and its expiry. Untrusted: the guard verifies the token, the middleware only decides whether a
 * refresh is due.
 */
export type StoredSession = { accessToken: string | null; expiresAt: number | null };

const NONE: StoredSession = { accessToken: null, expiresAt: null };

/**
 * Every request carries the same cookie header until the next refresh, and both the middleware and the
 * guard read it: the parsed result is kept per header, keyed by its SHA-256 so that no cookie value (the
 * refresh token among them) is held as a key. Bounded; the oldest entry goes first.
 */
const parsed = new Map<string, StoredSession>();
const PARSED_MAX = 1000;

/** The stored session in a request's `Cookie` header (null or empty: none). */
export function readStoredSession(cookieHeader: string | null | undefined): StoredSession {
  if (!cookieHeader || !cookieHeader.includes("-auth-token")) return NONE;
  const key = hash("sha256", cookieHeader, "base64url");
  const known = parsed.get(key);
  if (known) return known;
  const session = parseStoredSession(parseCookieHeader(cookieHeader));
  if (parsed.size >= PARSED_MAX) {
    const oldest = parsed.keys().next().value;
    if (oldest !== undefined) parsed.delete(oldest);
  }
  parsed.set(key, session);
  return session;
}

function parseStoredSession(cookies: { name: string; value?: string }[]): StoredSession {
  const session = storedSessionJson(cookies);
  if (!session) return NONE;
  const token = session.access_token;
  const expiresAt = session.expires_at;
  return {
    accessToken: typeof token === "string" && token.length > 0 ? token : null,
    expiresAt: typeof expiresAt === "number" && Number.isFinite(expiresAt) ? expiresAt : null,
  };
}

function storedSessionJson(cookies: { name: string; value?: string }[]): Record<string, unknown> | null {
  const parts = cookies
    .map((c) => ({ c, m: /^sb-.+-auth-token(?:\.(\d+))?$/.exec(c.name) }))
    .filter((x): x is { c: { name: string; value?: string }; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1] ?? -1) - Number(b.m[1] ?? -1))
    .map((x) => x.c.value ?? "");
  if (parts.length === 0) return null;
  let raw = parts.join("");
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return null;
  }
  try {
    const json = raw.startsWith("base64-") ? Buffer.from(raw.slice(7), "base64url").toString("utf8") : raw;
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
