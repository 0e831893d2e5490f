import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SignJWT } from "jose";
import { z } from "zod";

/** `.stack/secrets.json`: generated once, then only ever read (keys handed to the app must stay valid). */
export const secretsSchema = z.object({
  jwt_secret: z.string().min(40),
  anon_key: z.string().min(1),
  service_role_key: z.string().min(1),
  publishable_key: z.string().startsWith("sb_publishable_"),
  secret_key: z.string().startsWith("sb_secret_"),
  google_client_secret: z.string().min(1),
  apple_client_secret: z.string().min(1),
});

export type Secrets = z.infer<typeof secretsSchema>;

/** Fixed like the Supabase CLI's demo keys, so a key never expires during development. */
export const LEGACY_KEY_EXP = 1983812996;

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export async function signLegacyKey(jwtSecret: string, role: "anon" | "service_role"): Promise<string> {
  return new SignJWT({ iss: "supabase-demo", role, exp: LEGACY_KEY_EXP })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(jwtSecret));
}

export async function generateSecrets(): Promise<Secrets> {
  const jwt_secret = randomToken(36); // 48 characters
  return {
    jwt_secret,
    anon_key: await signLegacyKey(jwt_secret, "anon"),
    service_role_key: await signLegacyKey(jwt_secret, "service_role"),
    publishable_key: `sb_publishable_${randomToken(24)}`,
    secret_key: `sb_secret_${randomToken(24)}`,
    google_client_secret: randomToken(24),
    apple_client_secret: randomToken(24),
  };
}

export async function readSecrets(file: string): Promise<Secrets | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = secretsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${file} is not valid (${parsed.error.issues[0]?.path.join(".")}): delete it to generate new secrets`);
  }
  return parsed.data;
}

/**
 * Returns the stack's secrets, creating the file (mode 0600) on first use. Existing values are never
 * replaced; fields added to the schema later are filled in without touching the others.
 */
export async function ensureSecrets(file: string): Promise<{ secrets: Secrets; created: boolean }> {
  let existing: Record<string, unknown> | null = null;
  try {
    existing = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`cannot read ${file}: ${(error as Error).message} (delete it to generate new secrets)`);
    }
  }
  const fresh = await generateSecrets();
  if (existing && typeof existing.jwt_secret === "string") {
    // Legacy keys must be signed with the secret that is kept, not with the fresh one.
    fresh.anon_key = await signLegacyKey(existing.jwt_secret, "anon");
    fresh.service_role_key = await signLegacyKey(existing.jwt_secret, "service_role");
  }
  const merged = secretsSchema.parse({ ...fresh, ...(existing ?? {}) });
  const complete = existing !== null && Object.keys(merged).every((key) => key in existing);
  if (!complete) {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, file);
  }
  return { secrets: merged, created: existing === null };
}
