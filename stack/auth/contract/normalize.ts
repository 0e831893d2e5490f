import { isIP } from "node:net";

/**
 * The normalization rules of the contract transcripts (../shared/auth-contract/README.md, "Normalization"):
 * placeholders, the values that depend on where things run, and the bijective binding of placeholders to the
 * real values a local server produces.
 */

/** Where things ran during the recording; the local equivalents are substituted before comparing. */
export const RECORDED = {
  authOrigin: "http://127.0.0.1:59999",
  providerOrigin: "http://127.0.0.1:55444",
  googleAuthorize: "http://127.0.0.1:55444/google/authorize",
  appleAuthorize: "http://127.0.0.1:55444/apple/authorize",
  googleClientId: "spike-google-client",
  appleClientId: "spike.apple.client",
  kid: "spike-es256",
} as const;

/** Where things run locally (the Auth server is started with AUTH_BASE_PATH="", so its origin is its base). */
export type LocalEnv = {
  authOrigin: string;
  /** The emulators' origins (one per provider when each provider has its own emulator process). */
  providerOrigins: string[];
  /** authorization_endpoint of each emulator (from its discovery document), when different from the recorded path. */
  googleAuthorize?: string;
  appleAuthorize?: string;
  googleClientId?: string;
  appleClientId?: string;
};

/** Response headers the recorder kept (README, "Requests"); presence and value of each are compared. */
export const RECORDED_RESPONSE_HEADERS = [
  "location",
  "content-type",
  "x-total-count",
  "link",
  "set-cookie",
  "x-supabase-api-version",
  "x-sb-error-code",
] as const;

/** Placeholders numbered by first appearance within a file. */
export const NUMBERED_KINDS = [
  "uuid",
  "jwt",
  "refresh_token",
  "code",
  "state",
  "code_verifier",
  "code_challenge",
  "provider_code",
  "provider_token",
  "secret",
  "totp",
] as const;
/** Placeholders without a number: one fixed value each (keys) or a class of values (time, int, ...). */
export const BARE_KINDS = ["anon_key", "service_role_key", "qr", "jwk_x", "jwk_y", "time", "int", "ip"] as const;

export type NumberedKind = (typeof NUMBERED_KINDS)[number];
export type BareKind = (typeof BARE_KINDS)[number];

export type Placeholder =
  | { text: string; numbered: true; kind: NumberedKind; n: number }
  | { text: string; numbered: false; kind: BareKind };

const PLACEHOLDER_SOURCE = `<(?:(${NUMBERED_KINDS.join("|")})_(\\d+)|(${BARE_KINDS.join("|")}))>`;

/** A fresh global regex matching every placeholder inside a string. */
export function placeholderRegex(): RegExp {
  return new RegExp(PLACEHOLDER_SOURCE, "g");
}

export function parsePlaceholder(text: string): Placeholder | null {
  const m = new RegExp(`^${PLACEHOLDER_SOURCE}$`).exec(text);
  if (!m) return null;
  if (m[1]) return { text, numbered: true, kind: m[1] as NumberedKind, n: Number(m[2]) };
  return { text, numbered: false, kind: m[3] as BareKind };
}

/** Every placeholder occurring in a string, in order. */
export function placeholdersIn(text: string): Placeholder[] {
  return [...text.matchAll(placeholderRegex())].map((m) => parsePlaceholder(m[0]) as Placeholder);
}

/** Every distinct numbered placeholder found anywhere in a JSON value, in order of appearance. */
export function collectPlaceholders(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") {
    for (const p of placeholdersIn(value)) if (p.numbered && !into.includes(p.text)) into.push(p.text);
  } else if (Array.isArray(value)) {
    for (const v of value) collectPlaceholders(v, into);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) collectPlaceholders(v, into);
  }
  return into;
}

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const JWT = "[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*";
const TOKEN = "[^\\s&#\"'<>]+";

/** What a real value of each placeholder kind looks like (used inside strings and to check whole values). */
export const KIND_PATTERN: Record<NumberedKind | BareKind, string> = {
  uuid: UUID,
  code: UUID,
  state: UUID,
  jwt: JWT,
  // Supabase Auth's default refresh tokens: 12 lowercase base32 characters.
  refresh_token: "[a-z0-9]{12}",
  code_verifier: "[A-Za-z0-9._~-]+",
  code_challenge: "[A-Za-z0-9._~-]+",
  provider_code: TOKEN,
  provider_token: TOKEN,
  secret: "[A-Z2-7]+=*",
  totp: "[0-9]{6}",
  anon_key: JWT,
  service_role_key: JWT,
  qr: "[\\s\\S]+",
  jwk_x: "[A-Za-z0-9_-]+",
  jwk_y: "[A-Za-z0-9_-]+",
  time: "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})",
  int: "-?\\d+",
  ip: "[0-9a-fA-F:.]+",
};

/** Describes why `value` is not a valid value for a placeholder kind, or returns null. */
export function kindMismatch(kind: NumberedKind | BareKind, value: unknown): string | null {
  if (kind === "int") return Number.isInteger(value) ? null : "an integer";
  if (typeof value !== "string") return `a string (${kind})`;
  if (kind === "ip") return isIP(value) !== 0 ? null : "an IP address";
  if (kind === "qr") return /<svg[\s\S]*<\/svg>/.test(value) ? null : "an SVG document (the TOTP QR code)";
  return new RegExp(`^(?:${KIND_PATTERN[kind]})$`).test(value) ? null : `a ${kind.replace(/_/g, " ")} value`;
}

/**
 * Placeholder ⇄ value, both ways: equal placeholders mean equal values and distinct placeholders of one kind
 * distinct values, so a binding is refused when either side is already bound to something else.
 * Provider subjects (`sub`, `provider_id`, identity `id`), which the recording kept as they were, are bound
 * through the pseudo kind `subject` (key `subject:<recorded value>`).
 */
export class Bindings {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  static kindOf(key: string): string {
    if (key.startsWith("subject:")) return "subject";
    const p = parsePlaceholder(key);
    return p ? p.kind : key;
  }

  get(key: string): string | undefined {
    return this.forward.get(key);
  }

  has(key: string): boolean {
    return this.forward.has(key);
  }

  /** The placeholder already bound to `value` for the given kind. */
  keyOf(kind: string, value: string): string | undefined {
    return this.backward.get(`${kind}\u0000${value}`);
  }

  /** Binds or checks a binding; returns a description of the conflict, or null when consistent. */
  bind(key: string, value: string): string | null {
    const kind = Bindings.kindOf(key);
    const current = this.forward.get(key);
    if (current !== undefined) {
      if (current === value) return null;
      const other = this.keyOf(kind, value);
      return `${key} was ${JSON.stringify(current)} earlier, now ${JSON.stringify(value)}${other ? ` (the value of ${other})` : " (a new value)"}`;
    }
    const other = this.keyOf(kind, value);
    if (other !== undefined) return `expected a new value for ${key}, got the value of ${other} (${JSON.stringify(value)})`;
    this.forward.set(key, value);
    this.backward.set(`${kind}\u0000${value}`, key);
    return null;
  }

  private readonly seen = new Map<string, Set<string>>();

  /** Notes a local value of a kind (`email`) that a later derived placeholder may be computed from. */
  remember(kind: string, value: string): void {
    let values = this.seen.get(kind);
    if (!values) this.seen.set(kind, (values = new Set()));
    values.add(value);
  }

  /** Local values remembered for a kind; for `subject`, the local provider subjects bound so far. */
  remembered(kind: string): string[] {
    if (kind === "subject") {
      return [...this.forward.entries()].filter(([k]) => k.startsWith("subject:")).map(([, v]) => v);
    }
    return [...(this.seen.get(kind) ?? [])];
  }

  entries(): [string, string][] {
    return [...this.forward.entries()];
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** [local, recorded] pairs for everything that depends on where things run, longest first. */
export function substitutionPairs(env: LocalEnv): [string, string][] {
  const base: [string | undefined, string][] = [
    [env.googleAuthorize, RECORDED.googleAuthorize],
    [env.appleAuthorize, RECORDED.appleAuthorize],
    [env.authOrigin, RECORDED.authOrigin],
    ...env.providerOrigins.map((origin) => [origin, RECORDED.providerOrigin] as [string, string]),
    [env.googleClientId, RECORDED.googleClientId],
    [env.appleClientId, RECORDED.appleClientId],
  ];
  const pairs: [string, string][] = [];
  for (const [local, recorded] of base) {
    if (!local || local === recorded) continue;
    pairs.push([local, recorded]);
    // As a query parameter value (once) and inside an encoded parameter of an error fragment (twice).
    const once = encodeURIComponent(local);
    if (once !== local) {
      pairs.push([once, encodeURIComponent(recorded)]);
      pairs.push([encodeURIComponent(once), encodeURIComponent(encodeURIComponent(recorded))]);
    }
  }
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

function substitute(text: string, pairs: [string, string][]): string {
  if (pairs.length === 0) return text;
  // A port must not match the prefix of a longer port (":4123" in ":41234").
  const re = new RegExp(pairs.map(([from]) => `${escapeRegex(from)}(?![0-9])`).join("|"), "g");
  const map = new Map(pairs);
  return text.replace(re, (m) => map.get(m) ?? m);
}

/** Local origins, emulator URLs and client ids → the recorded ones. */
export function toRecorded(text: string, env: LocalEnv): string {
  return substitute(text, substitutionPairs(env));
}

/** The inverse of `toRecorded`: recorded origins → local ones, for requests built from the transcripts. */
export function toLocal(text: string, env: LocalEnv): string {
  return substitute(
    text,
    substitutionPairs(env)
      .map(([local, recorded]) => [recorded, local] as [string, string])
      .sort((a, b) => b[0].length - a[0].length),
  );
}

/** Keys whose integer values the recording replaced by `<int>`. */
export const INT_KEYS = new Set(["expires_at", "expires_in", "exp", "iat", "nbf", "auth_time", "timestamp"]);
const ISO_TIME = new RegExp(`^${KIND_PATTERN.time}$`);

export type NormalizeOptions = {
  env?: LocalEnv;
  bindings?: Bindings;
  /** Replace IP addresses under `ip_address` by `<ip>` (file 16 only). */
  ipAddresses?: boolean;
  anonKey?: string;
  serviceRoleKey?: string;
};

/**
 * Normalizes a local value with the README's rules, reusing the placeholders the comparison has bound (so a
 * local value reads like the recording wherever it matches): bound values → their placeholders, ISO times →
 * `<time>`, integers under the time keys → `<int>`, the API keys, IP addresses in 16, local origins → recorded.
 * Unbound opaque values are left as they are, so a difference shows the real value.
 */
export function normalizeValue(value: unknown, opts: NormalizeOptions = {}, key?: string): unknown {
  if (typeof value === "number") return key && INT_KEYS.has(key) && Number.isInteger(value) ? "<int>" : value;
  if (typeof value === "string") return normalizeString(value, opts, key);
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, opts));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeValue(v, opts, k)]));
  }
  return value;
}

export function normalizeString(value: string, opts: NormalizeOptions = {}, key?: string): string {
  if (ISO_TIME.test(value)) return "<time>";
  if (opts.anonKey && value === opts.anonKey) return "<anon_key>";
  if (opts.serviceRoleKey && value === opts.serviceRoleKey) return "<service_role_key>";
  if (opts.ipAddresses && key === "ip_address" && isIP(value) !== 0) return "<ip>";
  let text = opts.env ? toRecorded(value, opts.env) : value;
  if (opts.bindings) {
    const bound = opts.bindings
      .entries()
      .filter(([k, v]) => !k.startsWith("subject:") && !k.startsWith("<totp_") && v.length >= 6)
      .sort((a, b) => b[1].length - a[1].length);
    for (const [placeholder, real] of bound) {
      if (text.includes(real)) text = text.split(real).join(placeholder);
    }
  }
  return text;
}

/** Query and fragment parameters of a URL (an absolute URL or a `?…#…` tail), like the recorder parsed them. */
export function locationParams(location: string): { query: Record<string, string>; fragment: Record<string, string> } {
  const hash = location.indexOf("#");
  const beforeHash = hash >= 0 ? location.slice(0, hash) : location;
  const fragment = hash >= 0 ? location.slice(hash + 1) : "";
  const q = beforeHash.indexOf("?");
  const query = q >= 0 ? beforeHash.slice(q + 1) : "";
  return {
    query: Object.fromEntries(new URLSearchParams(query)),
    fragment: Object.fromEntries(new URLSearchParams(fragment)),
  };
}

/** Decodes a compact JWS without verifying it; null when it is not one. */
export function decodeJwt(token: unknown): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8"));
    const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8"));
    if (!header || typeof header !== "object" || !claims || typeof claims !== "object") return null;
    return { header, claims };
  } catch {
    return null;
  }
}

/** One HTML form (the provider's auto-submitting form_post page): action and fields. */
export type HtmlForm = { action: string; method: string; fields: Record<string, string> };

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, "&");
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[A-Za-z]+/, "").replace(/\/?>$/, "");
  for (const m of inner.matchAll(re)) {
    const name = (m[1] as string).toLowerCase();
    attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

/** Parses the first form of an HTML page (inputs with a name); null when there is none. */
export function parseHtmlForm(html: string): HtmlForm | null {
  const formTag = /<form\b[^>]*>/i.exec(html);
  if (!formTag) return null;
  const formAttrs = attributes(formTag[0]);
  const end = html.search(/<\/form\s*>/i);
  const body = html.slice(formTag.index, end >= 0 ? end : undefined);
  const fields: Record<string, string> = {};
  for (const input of body.matchAll(/<(?:input|textarea|button)\b[^>]*>/gi)) {
    const attrs = attributes(input[0]);
    if (attrs.name !== undefined && attrs.type !== "submit") fields[attrs.name] = attrs.value ?? "";
  }
  return { action: formAttrs.action ?? "", method: (formAttrs.method ?? "get").toLowerCase(), fields };
}
