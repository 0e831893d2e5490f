/** Pure helpers of the Profile section, used on the server and in the browser. */

export type IdentitySummary = { provider: string; email: string | null; picture: string | null };

export type AvatarOption =
  | { kind: "picture"; url: string; provider: string; label: string }
  | { kind: "initials"; url: null; label: string };

const PROVIDER_LABEL: Record<string, string> = { google: "Google", apple: "Apple", email: "Email" };

export function providerLabel(provider: string | null | undefined): string {
  if (!provider) return "—";
  return PROVIDER_LABEL[provider] ?? provider.charAt(0).toUpperCase() + provider.slice(1);
}

/**
 * The avatars a user can choose: the picture of each identity that has one (one entry per distinct URL, in
 * the identities' order; two identities of one provider are numbered), then initials.
 */
export function avatarOptions(identities: readonly IdentitySummary[]): AvatarOption[] {
  const seen = new Set<string>();
  const pictures = identities.filter((i): i is IdentitySummary & { picture: string } => {
    if (!i.picture || seen.has(i.picture)) return false;
    seen.add(i.picture);
    return true;
  });
  const perProvider = new Map<string, number>();
  for (const p of pictures) perProvider.set(p.provider, (perProvider.get(p.provider) ?? 0) + 1);
  const counter = new Map<string, number>();
  const options: AvatarOption[] = pictures.map((p) => {
    const n = (counter.get(p.provider) ?? 0) + 1;
    counter.set(p.provider, n);
    const suffix = (perProvider.get(p.provider) ?? 0) > 1 ? ` ${n}` : "";
    return { kind: "picture", url: p.picture, provider: p.provider, label: `${providerLabel(p.provider)} picture${suffix}` };
  });
  options.push({ kind: "initials", url: null, label: "Initials" });
  return options;
}

/** The option matching the stored avatar: initials for none; null when the stored URL is no longer offered. */
export function selectedAvatar(options: readonly AvatarOption[], avatarUrl: string | null): AvatarOption | null {
  return options.find((o) => o.url === avatarUrl) ?? null;
}

/**
 * Up to two initials: the first letters of the first and last words of the name, else the first character
 * of the email. Whole code points (never half of an emoji), upper-cased.
 */
export function initialsOf(name: string | null, email: string): string {
  const words = (name ?? "").trim().split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = (w: string | undefined) => Array.from(w ?? "").find((c) => /[\p{L}\p{N}]/u.test(c)) ?? "";
  const letters = words.length > 1 ? first(words[0]) + first(words[words.length - 1]) : first(words[0]);
  if (letters !== "") return letters.toLocaleUpperCase();
  return (Array.from(email.trim())[0] ?? "?").toLocaleUpperCase();
}

/**
 * The provider the account's email came from: the oldest identity with that email (compared without case),
 * else `fallback` (the provider of the first sign-in, from the token's app_metadata).
 */
export function emailProvider(identities: readonly IdentitySummary[], email: string, fallback: string | null): string | null {
  const wanted = email.trim().toLowerCase();
  if (wanted === "") return fallback;
  return identities.find((i) => i.email?.toLowerCase() === wanted)?.provider ?? fallback;
}
