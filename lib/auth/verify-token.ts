import "server-only";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { getConfig } from "../config";

export type VerifiedClaims = JWTPayload & {
  sub: string;
  role: "authenticated";
  session_id: string;
  email?: string;
  aal?: string;
  user_role?: string;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
};

export type VerifyResult =
  | { ok: true; claims: VerifiedClaims }
  | { ok: false; reason: "invalid" | "expired" | "unavailable" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

/**
 * Tokens already verified, until they expire: a token is immutable, so its signature and claims need checking
 * once. Revocation is not cached — the guard asks Postgres about the session on every request.
 */
const verified = new Map<string, VerifiedClaims>();
const VERIFIED_MAX = 5000;

function remember(token: string, claims: VerifiedClaims): void {
  if (verified.size >= VERIFIED_MAX) {
    const oldest = verified.keys().next().value;
    if (oldest !== undefined) verified.delete(oldest);
  }
  verified.set(token, claims);
}

/**
 * The Auth server's published keys. Cached for 10 minutes; a token with a kid that is not cached makes it
 * refetch at once (at most once a second), which is how a key rotation reaches this process without a restart.
 * Trap: a long cooldown (jose's default is 30 s) rejects the first tokens of a new key for that long after any
 * fetch — sign-ins and refreshes right after a rotation would be signed out.
 */
function keySet() {
  jwks ??= createRemoteJWKSet(new URL(`${getConfig().supabaseUrl}/auth/v1/.well-known/jwks.json`), {
    cacheMaxAge: 10 * 60 * 1000,
    cooldownDuration: 1000,
    timeoutDuration: 3000,
  });
  return jwks;
}

/**
 * Stricter than the Auth server itself (which accepts HS256 tokens signed with the JWT secret, any `aud`,
 * and tokens without `session_id`): only ES256 with a `kid` from the JWKS, the project's issuer, audience
 * `authenticated` (a string or an array containing it), a uuid `sub` and a uuid `session_id`.
 */
export async function verifyAccessToken(token: string): Promise<VerifyResult> {
  const known = verified.get(token);
  if (known) {
    if (typeof known.exp === "number" && known.exp * 1000 > Date.now()) return { ok: true, claims: known };
    verified.delete(token);
    return { ok: false, reason: "expired" };
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keySet(), {
      algorithms: ["ES256"],
      issuer: `${getConfig().supabaseUrl}/auth/v1`,
      audience: "authenticated",
      requiredClaims: ["sub", "exp", "session_id"],
    });
    if (!protectedHeader.kid) return { ok: false, reason: "invalid" };
    if (typeof payload.sub !== "string" || !UUID.test(payload.sub)) return { ok: false, reason: "invalid" };
    if (typeof payload.session_id !== "string" || !UUID.test(payload.session_id)) return { ok: false, reason: "invalid" };
    if (payload.role !== "authenticated") return { ok: false, reason: "invalid" };
    remember(token, payload as VerifiedClaims);
    return { ok: true, claims: payload as VerifiedClaims };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired" };
    if (error instanceof joseErrors.JWKSTimeout) return { ok: false, reason: "unavailable" };
    if (error instanceof TypeError || (error instanceof Error && /fetch failed|ECONNREFUSED/i.test(error.message))) {
      return { ok: false, reason: "unavailable" };
    }
    return { ok: false, reason: "invalid" };
  }
}
