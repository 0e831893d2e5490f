import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";

export type ProviderKind = "google" | "apple";

/** A person as the emulators see them; `picture` is only used by Google. */
export type Identity = {
  email: string;
  name: string;
  givenName: string;
  familyName: string;
  picture?: string;
};

const seededIdentitySchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().min(1),
  given_name: z.string().trim().min(1).optional(),
  family_name: z.string().trim().optional(),
  picture: z.url().optional(),
});

const seededFileSchema = z.array(seededIdentitySchema);

const EMAIL_PATTERN = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL_PATTERN.test(value);
}

/** Stable provider subject: the same email always signs in as the same provider user. */
export function subjectFor(kind: ProviderKind, email: string): string {
  const digest = createHash("sha256").update(normalizeEmail(email)).digest("hex");
  return `${kind}-${digest.slice(0, 16)}`;
}

/** "ada.l@example.com" → "Ada L". */
export function nameFromEmail(email: string): string {
  const local = email.split("@")[0] ?? "";
  const words = local.split(/[._+\-\s]+/).filter(Boolean);
  if (words.length === 0) return "User";
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

/** First word is the given name, the rest the family name ("Grace Brewster Hopper" → "Grace" / "Brewster Hopper"). */
export function splitName(name: string): { givenName: string; familyName: string } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return { givenName: words[0] ?? "", familyName: words.slice(1).join(" ") };
}

function identity(email: string, name: string, picture?: string): Identity {
  const display = name.trim().replace(/\s+/g, " ");
  return { email, name: display, ...splitName(display), ...(picture ? { picture } : {}) };
}

export type IdentityDirectory = {
  seeded: readonly Identity[];
  /**
   * The identity for an email: a typed name wins, then the seeded person, then the fixed default name,
   * then a name made from the email's local part.
   */
  resolve(email: string, typedName?: string): Identity;
};

export function createIdentityDirectory(seeded: readonly Identity[], defaultName?: string): IdentityDirectory {
  const byEmail = new Map(seeded.map((s) => [s.email, s]));
  return {
    seeded,
    resolve(rawEmail, typedName) {
      const email = normalizeEmail(rawEmail);
      const seed = byEmail.get(email);
      const typed = typedName?.trim();
      if (typed) return identity(email, typed, seed?.picture);
      if (seed) return seed;
      return identity(email, defaultName?.trim() || nameFromEmail(email));
    },
  };
}

export function parseSeededIdentities(json: unknown, source: string): Identity[] {
  const parsed = seededFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${source}: invalid identities file: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data.map((s) => {
    const split = splitName(s.name);
    return {
      email: s.email,
      name: s.name,
      givenName: s.given_name ?? split.givenName,
      familyName: s.family_name ?? split.familyName,
      ...(s.picture ? { picture: s.picture } : {}),
    };
  });
}

/** `null` means no seeded identities (every email is derived). */
export async function loadSeededIdentities(file: string | null): Promise<Identity[]> {
  if (file === null) return [];
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new Error(`cannot read identities file ${file}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file}: not valid JSON`, { cause });
  }
  return parseSeededIdentities(json, file);
}
