import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";

/**
 * `signing`: signs new access tokens (exactly one).
 * `standby`: published in the JWKS before it signs, so verifiers cache it ahead of a rotation.
 * `previous`: no longer signs; stays published until the tokens it signed have expired.
 */
export type KeyStatus = "signing" | "standby" | "previous";

export type StoredKey = {
  kid: string;
  status: KeyStatus;
  created_at: string;
  retired_at?: string;
  private_jwk: JWK;
};

export type KeyFile = { keys: StoredKey[] };

async function newKey(status: KeyStatus): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { kid: randomUUID(), status, created_at: new Date().toISOString(), private_jwk: { ...jwk, alg: "ES256" } };
}

export async function readKeyFile(file: string): Promise<KeyFile> {
  const parsed = JSON.parse(await readFile(file, "utf8")) as KeyFile;
  if (!Array.isArray(parsed.keys) || parsed.keys.filter((k) => k.status === "signing").length !== 1) {
    throw new Error(`${file}: expected exactly one key with status "signing"`);
  }
  return parsed;
}

async function writeKeyFile(file: string, data: KeyFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Write-then-rename: the Auth server re-reads this file while running and must never see half of it.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, file);
}

/** Creates the key file with one ES256 signing key unless it exists. */
export async function ensureSigningKeys(file: string): Promise<void> {
  try {
    await readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await writeKeyFile(file, { keys: [await newKey("signing")] });
  }
}

/**
 * One rotation step.
 * With `stage`: publish a new verify-only (`standby`) key; nothing else changes.
 * Without: the standby key (or a fresh one) starts signing; the old signing key becomes `previous` and stays
 * verifiable until `jwtExpirySeconds` after now, when the Auth server stops publishing it.
 * Previous keys older than that are dropped.
 */
export async function rotateSigningKeys(
  file: string,
  opts: { stage?: boolean; jwtExpirySeconds?: number } = {},
): Promise<KeyFile> {
  const data = await readKeyFile(file);
  const now = Date.now();
  const expiryMs = (opts.jwtExpirySeconds ?? 3600) * 1000;
  const keys = data.keys.filter(
    (k) => k.status !== "previous" || !k.retired_at || Date.parse(k.retired_at) + expiryMs > now,
  );
  if (opts.stage) {
    if (!keys.some((k) => k.status === "standby")) keys.push(await newKey("standby"));
  } else {
    const next = keys.find((k) => k.status === "standby") ?? (await newKey("standby"));
    if (!keys.includes(next)) keys.push(next);
    for (const k of keys) {
      if (k.status === "signing") {
        k.status = "previous";
        k.retired_at = new Date(now).toISOString();
      }
    }
    next.status = "signing";
  }
  const updated = { keys };
  await writeKeyFile(file, updated);
  return updated;
}

/** The public half of a stored key as it appears in the JWKS. */
export function publicJwk(key: StoredKey): JWK {
  const { kty, crv, x, y } = key.private_jwk;
  return { alg: "ES256", crv, key_ops: ["verify"], kid: key.kid, kty, use: "sig", x, y };
}
