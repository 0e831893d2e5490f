import { readFile } from "node:fs/promises";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { z } from "zod";
import type { ProviderKind } from "./identities.ts";
import { writeJsonFile } from "./state.ts";

export type SigningKeys = Record<ProviderKind, JWK>;

const privateRsaJwk = z.looseObject({
  kty: z.literal("RSA"),
  kid: z.string().min(1),
  alg: z.literal("RS256"),
  n: z.string().min(1),
  e: z.string().min(1),
  d: z.string().min(1),
  p: z.string().min(1),
  q: z.string().min(1),
  dp: z.string().min(1),
  dq: z.string().min(1),
  qi: z.string().min(1),
});

const keyFileSchema = z.object({ google: privateRsaJwk, apple: privateRsaJwk });

async function newRsaKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: "RS256", use: "sig" };
}

/**
 * One RS256 key per provider (a Google ID token must not verify against Apple's JWKS), kept on disk so
 * that tokens issued before a restart stay verifiable.
 */
export async function loadOrCreateSigningKeys(file: string): Promise<SigningKeys> {
  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text !== undefined) {
    const parsed = keyFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`${file}: unexpected content (delete it to generate new keys): ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data as SigningKeys;
  }
  const keys: SigningKeys = { google: await newRsaKey(), apple: await newRsaKey() };
  await writeJsonFile(file, keys, 0o600);
  return keys;
}
