import { stat } from "node:fs/promises";
import { compactVerify, importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from "jose";
import { AuthError } from "./errors.ts";
import { publicJwk, readKeyFile, type StoredKey } from "./keys.ts";

type LoadedKey = { stored: StoredKey; privateKey: CryptoKey | KeyObject | Uint8Array; publicKey: CryptoKey | KeyObject | Uint8Array };

/**
 * The Auth server's ES256 keys, re-read whenever the key file changes so that `stack rotate-keys` takes
 * effect without a restart. `previous` keys stay verifiable (and published) until `jwtExpiry` seconds after
 * they stopped signing.
 */
export class KeyStore {
  readonly file: string;
  readonly jwtExpiry: number;
  private mtimeMs = 0;
  private keys: LoadedKey[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(file: string, jwtExpiry: number) {
    this.file = file;
    this.jwtExpiry = jwtExpiry;
  }

  async load(): Promise<void> {
    const info = await stat(this.file);
    if (info.mtimeMs === this.mtimeMs && this.keys.length > 0) return;
    const data = await readKeyFile(this.file);
    const loaded: LoadedKey[] = [];
    for (const stored of data.keys) {
      const privateKey = await importJWK(stored.private_jwk, "ES256");
      const publicKey = await importJWK(publicJwk(stored), "ES256");
      loaded.push({ stored, privateKey, publicKey });
    }
    this.keys = loaded;
    this.mtimeMs = info.mtimeMs;
  }

  watch(intervalMs = 1000): void {
    this.timer = setInterval(() => {
      this.load().catch((error) => console.error(`signing keys: ${(error as Error).message}`));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private published(): LoadedKey[] {
    const now = Date.now();
    return this.keys.filter(
      (k) =>
        k.stored.status !== "previous" ||
        !k.stored.retired_at ||
        Date.parse(k.stored.retired_at) + this.jwtExpiry * 1000 > now,
    );
  }

  signing(): LoadedKey {
    const key = this.keys.find((k) => k.stored.status === "signing");
    if (!key) throw new Error("no signing key loaded");
    return key;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published().map((k) => publicJwk(k.stored)) };
  }

  verificationKey(kid: string | undefined): LoadedKey | undefined {
    if (kid === undefined) return undefined;
    return this.published().find((k) => k.stored.kid === kid);
  }
}

export type Claims = Record<string, unknown> & {
  sub?: string;
  role?: string;
  session_id?: string;
  exp?: number;
  aal?: string;
};

export async function signAccessToken(keys: KeyStore, claims: Claims): Promise<string> {
  const key = keys.signing();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: key.stored.kid, typ: "JWT" })
    .sign(key.privateKey);
}

const PREFIX = "invalid JWT: unable to parse or verify signature, ";
const badJwt = (message: string) => new AuthError(403, "bad_jwt", message);

function decodeSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a bearer JWT the way Supabase Auth does, with its error messages: HS256 with the JWT secret or
 * ES256 with a published key, signature first, then `exp`. It does NOT check `aud`, `sub` or the session:
 * callers decide what they need (and the hosted server is just as permissive).
 */
export async function verifyJwt(token: string, keys: KeyStore, jwtSecret: Uint8Array): Promise<Claims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw badJwt(`${PREFIX}token is malformed: token contains an invalid number of segments`);
  const header = decodeSegment(parts[0] as string);
  if (!header) throw badJwt(`${PREFIX}token is malformed: could not JSON decode header`);
  const claims = decodeSegment(parts[1] as string);
  if (!claims) throw badJwt(`${PREFIX}token is malformed: could not JSON decode claim`);
  const alg = header.alg;
  let key: CryptoKey | KeyObject | Uint8Array;
  if (alg === "HS256") {
    key = jwtSecret;
  } else if (alg === "ES256") {
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const found = keys.verificationKey(kid);
    if (!found) {
      throw badJwt(
        `${PREFIX}token is unverifiable: error while executing keyfunc: unrecognized JWT kid ${kid ?? "<nil>"} for algorithm ES256`,
      );
    }
    key = found.publicKey;
  } else {
    throw badJwt(`${PREFIX}token signature is invalid: signing method ${String(alg)} is invalid`);
  }
  try {
    await compactVerify(token, key, { algorithms: [alg] });
  } catch {
    throw badJwt(
      `${PREFIX}token signature is invalid: ${alg === "ES256" ? "crypto/ecdsa: verification error" : "signature is invalid"}`,
    );
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
    throw badJwt(`${PREFIX}token has invalid claims: token is expired`);
  }
  return claims as Claims;
}
