import { createHash } from "node:crypto";
import {
  Bindings,
  decodeJwt,
  INT_KEYS,
  KIND_PATTERN,
  kindMismatch,
  locationParams,
  normalizeValue,
  parseHtmlForm,
  parsePlaceholder,
  placeholderRegex,
  RECORDED_RESPONSE_HEADERS,
  toRecorded,
  type LocalEnv,
  type NormalizeOptions,
} from "./normalize.ts";

/** One difference between a transcript and the local server, precise enough to fix the server from. */
export type Diff = {
  file: string;
  step: number;
  stepName: string;
  /** e.g. `response.body.user.identities[0].identity_id`, `response.headers.x-sb-error-code`. */
  path: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
};

/** What a step's recorded response looks like (README, "File format"). */
export type RecordedResponse = {
  status: number;
  headers?: Record<string, string>;
  location_params?: { query: Record<string, string>; fragment: Record<string, string> };
  body?: unknown;
};

export type JwtRecord = {
  at: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  length?: number;
  exp_minus_iat?: number;
};

/** A local answer, parsed like the recorder parsed its answers. */
export type ActualResponse = {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, a string for text/HTML, or null when empty. */
  body: unknown;
};

export type CompareContext = {
  bindings: Bindings;
  env: LocalEnv;
  diffs: Diff[];
  file: string;
  step: number;
  stepName: string;
  normalize?: NormalizeOptions;
  /** The local objects enclosing the value being compared, innermost last (derived values read them). */
  scopes?: Record<string, unknown>[];
};

type Loose = "type" | "subject" | "expires_in" | undefined;

const METADATA_KEYS = new Set(["user_metadata", "identity_data"]);
const PROVIDER_TYPE_ONLY = new Set(["picture", "avatar_url", "iss"]);
const PROVIDER_SUBJECT = new Set(["sub", "provider_id"]);

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

function pathJoin(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function addDiff(ctx: CompareContext, path: string, message: string, expected?: unknown, actual?: unknown): void {
  ctx.diffs.push({ file: ctx.file, step: ctx.step, stepName: ctx.stepName, path, expected, actual, message });
}

function normalized(ctx: CompareContext, value: unknown): unknown {
  return normalizeValue(value, { env: ctx.env, bindings: ctx.bindings, ...ctx.normalize });
}

/** The real value a placeholder stands for, with its binding checked. Returns false on a difference. */
function matchPlaceholder(ctx: CompareContext, path: string, placeholder: string, actual: unknown): boolean {
  const p = parsePlaceholder(placeholder);
  if (!p) throw new Error(`not a placeholder: ${placeholder}`);
  const mismatch = kindMismatch(p.kind, actual);
  if (mismatch) {
    addDiff(ctx, path, `expected ${mismatch} for ${placeholder}, got ${show(normalized(ctx, actual))}`, placeholder, actual);
    return false;
  }
  if (!p.numbered) {
    if (p.kind === "anon_key" || p.kind === "service_role_key") {
      const key = ctx.normalize?.[p.kind === "anon_key" ? "anonKey" : "serviceRoleKey"];
      if (key !== undefined && actual !== key) {
        addDiff(ctx, path, `expected the ${p.kind.replace(/_/g, " ")}, got ${show(actual)}`, placeholder, actual);
        return false;
      }
    }
    return true;
  }
  const conflict = ctx.bindings.bind(placeholder, actual as string);
  if (conflict) {
    addDiff(ctx, path, conflict, placeholder, actual);
    return false;
  }
  return true;
}

/**
 * A recorded string with placeholders inside (a URL, an HTML link, an otpauth URI) against a local string,
 * after substituting where-it-runs values. Binds the placeholders it captures.
 */
export function matchTemplate(ctx: CompareContext, path: string, template: string, actualRaw: string): boolean {
  const actual = toRecorded(actualRaw, ctx.env);
  const parts: string[] = [];
  // One capture group per distinct placeholder; a repeated placeholder must repeat the same text.
  const names: string[] = [];
  let last = 0;
  for (const m of template.matchAll(placeholderRegex())) {
    parts.push(escapeRegex(template.slice(last, m.index)));
    const p = parsePlaceholder(m[0]) as NonNullable<ReturnType<typeof parsePlaceholder>>;
    const seen = names.indexOf(m[0]);
    if (seen >= 0) {
      parts.push(`\\${seen + 1}`);
    } else {
      names.push(m[0]);
      parts.push(`(${KIND_PATTERN[p.kind].replace(/\((?!\?)/g, "(?:")})`);
    }
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(escapeRegex(template.slice(last)));
  const match = new RegExp(`^${parts.join("")}$`).exec(actual);
  if (!match) {
    addDiff(ctx, path, `expected ${show(template)}, got ${show(normalized(ctx, actualRaw))}`, template, actualRaw);
    return false;
  }
  let ok = true;
  names.forEach((name, i) => {
    const value = match[i + 1] as string;
    const p = parsePlaceholder(name);
    if (p && p.numbered) {
      const conflict = ctx.bindings.bind(name, value);
      if (conflict) {
        addDiff(ctx, path, `in ${show(template)}: ${conflict}`, template, actualRaw);
        ok = false;
      }
    }
  });
  return ok;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A value the recording names by its derivation instead of a placeholder (18, soft delete):
 * `<base64url(sha256(user id + "google:" + provider id)), first 15 characters>`. Terms are `user id`,
 * `email`, `provider id` or a JSON string literal.
 */
export type Derivation = { terms: ({ literal: string } | { variable: "user id" | "email" | "provider id" })[]; length?: number };

const DERIVATION = /^<base64url\(sha256\((.+)\)\)(?:, first (\d+) characters)?>$/;

export function parseDerivation(text: string): Derivation | null {
  const m = DERIVATION.exec(text);
  if (!m) return null;
  const terms: Derivation["terms"] = [];
  for (const raw of (m[1] as string).split(" + ")) {
    if (raw === "user id" || raw === "email" || raw === "provider id") terms.push({ variable: raw });
    else if (/^"(?:[^"\\]|\\.)*"$/.test(raw)) terms.push({ literal: JSON.parse(raw) as string });
    else return null;
  }
  return m[2] ? { terms, length: Number(m[2]) } : { terms };
}

/** Every value a derivation can take, given the candidates for each variable. */
export function deriveAll(d: Derivation, candidates: Record<"user id" | "email" | "provider id", string[]>): string[] {
  let inputs = [""];
  for (const term of d.terms) {
    const options = "literal" in term ? [term.literal] : candidates[term.variable];
    inputs = inputs.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return inputs.map((input) => {
    const digest = createHash("sha256").update(input).digest("base64url");
    return d.length === undefined ? digest : digest.slice(0, d.length);
  });
}

/** The user id a derived value belongs to: an identity's `user_id`, else the enclosing user object's `id`. */
function scopeUserId(ctx: CompareContext): string[] {
  for (const scope of [...(ctx.scopes ?? [])].reverse()) {
    if (typeof scope.user_id === "string") return [scope.user_id];
    if (typeof scope.id === "string" && "aud" in scope) return [scope.id];
  }
  return [];
}

function compareDerived(ctx: CompareContext, path: string, expected: string, d: Derivation, actual: unknown): void {
  const candidates = {
    "user id": scopeUserId(ctx),
    email: ctx.bindings.remembered("email"),
    "provider id": ctx.bindings.remembered("subject"),
  };
  if (typeof actual === "string" && deriveAll(d, candidates).includes(actual)) return;
  addDiff(ctx, path, `expected ${expected}, got ${show(normalized(ctx, actual))} (no known user id, email or provider id gives it)`, expected, actual);
}

function compareString(ctx: CompareContext, path: string, expected: string, actual: unknown, loose: Loose): void {
  const derivation = parseDerivation(expected);
  if (derivation) {
    compareDerived(ctx, path, expected, derivation, actual);
    return;
  }
  if (loose === "type") {
    if (typeof actual !== "string") addDiff(ctx, path, `expected a string (value depends on where it runs), got ${show(actual)}`, expected, actual);
    return;
  }
  if (loose === "subject") {
    if (typeof actual !== "string" || actual === "") {
      addDiff(ctx, path, `expected a provider subject string, got ${show(actual)}`, expected, actual);
      return;
    }
    const conflict = ctx.bindings.bind(`subject:${expected}`, actual);
    if (conflict) addDiff(ctx, path, `provider subject: ${conflict.replace(/subject:/g, "")}`, expected, actual);
    return;
  }
  const whole = parsePlaceholder(expected);
  if (whole) {
    matchPlaceholder(ctx, path, expected, actual);
    return;
  }
  if (typeof actual !== "string") {
    addDiff(ctx, path, `expected ${show(expected)}, got ${typeName(actual)} ${show(normalized(ctx, actual))}`, expected, actual);
    return;
  }
  if (placeholderRegex().test(expected)) {
    matchTemplate(ctx, path, expected, actual);
    return;
  }
  const local = toRecorded(actual, ctx.env);
  if (local !== expected) addDiff(ctx, path, `expected ${show(expected)}, got ${show(normalized(ctx, actual))}`, expected, actual);
}

/** The `amr` claim: most recent first; entries of the same second come in no fixed order. */
function compareAmr(ctx: CompareContext, path: string, expected: unknown[], actual: unknown[]): void {
  const entries = actual.filter(isObject);
  if (entries.length === actual.length && entries.every((e) => typeof e.timestamp === "number")) {
    for (let i = 1; i < entries.length; i++) {
      if ((entries[i]!.timestamp as number) > (entries[i - 1]!.timestamp as number)) {
        addDiff(ctx, path, `amr must be ordered most recent first, got ${show(actual)}`, expected, actual);
        break;
      }
    }
    const reordered = [...entries];
    for (let i = 0; i < reordered.length && i < expected.length; i++) {
      const want = isObject(expected[i]) ? (expected[i] as Record<string, unknown>).method : undefined;
      if (reordered[i]!.method === want) continue;
      const j = reordered.findIndex(
        (e, k) => k > i && e.method === want && e.timestamp === reordered[i]!.timestamp,
      );
      if (j > i) [reordered[i], reordered[j]] = [reordered[j]!, reordered[i]!];
    }
    compareArray(ctx, path, expected, reordered);
    return;
  }
  compareArray(ctx, path, expected, actual);
}

function compareArray(ctx: CompareContext, path: string, expected: unknown[], actual: unknown[]): void {
  if (expected.length !== actual.length) {
    addDiff(
      ctx,
      path,
      `expected ${expected.length} element(s), got ${actual.length}: ${show(normalized(ctx, actual))}`,
      expected,
      actual,
    );
  }
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) compareValue(ctx, pathJoin(path, i), expected[i], actual[i]);
}

function looseFor(parentKey: string | undefined, key: string, expectedParent: Record<string, unknown>, claimsRoot: boolean): Loose {
  if (parentKey !== undefined && METADATA_KEYS.has(parentKey)) {
    if (PROVIDER_TYPE_ONLY.has(key)) return "type";
    if (PROVIDER_SUBJECT.has(key)) return "subject";
  }
  // An identity object's `id` is the provider's subject.
  if (key === "id" && "identity_id" in expectedParent && "identity_data" in expectedParent) return "subject";
  if (key === "kid") return "type";
  if (claimsRoot && key === "iss") return "type";
  if (key === "expires_in" && "access_token" in expectedParent) return "expires_in";
  return undefined;
}

export type CompareOptions = {
  /** The JWT claims object at the root: its `iss` is the local issuer, compared by type. */
  claimsRoot?: boolean;
  /** Provider emulator answers: extra keys are allowed. */
  allowExtraKeys?: boolean;
};

/**
 * Recorded JSON value vs local value: exact key sets recursively, every fixed value, placeholders bound
 * consistently, and the documented exceptions (values that depend on where things run, provider-derived
 * identity values, `expires_in` 599 or 600, `amr` order within a second). Every difference is collected.
 */
export function compareValue(
  ctx: CompareContext,
  path: string,
  expected: unknown,
  actual: unknown,
  opts: CompareOptions = {},
  parentKey?: string,
  loose?: Loose,
): void {
  if (loose === "expires_in") {
    if (actual !== 600 && actual !== 599) addDiff(ctx, path, `expected expires_in 600 (or 599), got ${show(actual)}`, expected, actual);
    return;
  }
  if (typeof expected === "string") {
    compareString(ctx, path, expected, actual, loose);
    return;
  }
  if (loose === "type") {
    if (typeName(expected) !== typeName(actual)) addDiff(ctx, path, `expected a ${typeName(expected)}, got ${show(actual)}`, expected, actual);
    return;
  }
  if (expected === null || typeof expected === "number" || typeof expected === "boolean") {
    if (actual !== expected) {
      addDiff(ctx, path, `expected ${show(expected)}, got ${show(normalized(ctx, actual))}`, expected, actual);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      addDiff(ctx, path, `expected an array, got ${typeName(actual)} ${show(normalized(ctx, actual))}`, expected, actual);
      return;
    }
    if (parentKey === "amr") compareAmr(ctx, path, expected, actual);
    else compareArray(ctx, path, expected, actual);
    return;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) {
      addDiff(ctx, path, `expected an object, got ${typeName(actual)} ${show(normalized(ctx, actual))}`, expected, actual);
      return;
    }
    const expectedKeys = Object.keys(expected);
    const missing = expectedKeys.filter((k) => !(k in actual));
    const extra = Object.keys(actual).filter((k) => !(k in expected));
    for (const k of missing) {
      addDiff(ctx, pathJoin(path, k), `missing key (expected ${show(expected[k])})`, expected[k], undefined);
    }
    if (!opts.allowExtraKeys) {
      for (const k of extra) {
        addDiff(ctx, pathJoin(path, k), `unexpected key (value ${show(normalized(ctx, actual[k]))})`, undefined, actual[k]);
      }
    }
    if (typeof actual.email === "string" && actual.email !== "") ctx.bindings.remember("email", actual.email);
    (ctx.scopes ??= []).push(actual);
    try {
      for (const k of expectedKeys) {
        if (!(k in actual)) continue;
        const childLoose = looseFor(parentKey, k, expected, opts.claimsRoot === true);
        compareValue(ctx, pathJoin(path, k), expected[k], actual[k], { allowExtraKeys: opts.allowExtraKeys }, k, childLoose);
      }
    } finally {
      ctx.scopes.pop();
    }
    return;
  }
  addDiff(ctx, path, `unsupported expected value ${show(expected)}`, expected, actual);
}

/** Reads `response.body.access_token`-style paths from a `{request, response}` pair. */
export function valueAt(root: Record<string, unknown>, at: string): unknown {
  let cur: unknown = root;
  for (const part of at.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A `jwt` / `request_jwt` record against a real token: header, claims, exp − iat (length is informational). */
export function compareJwt(ctx: CompareContext, base: string, record: JwtRecord, token: unknown): void {
  let raw = token;
  if (typeof raw === "string" && raw.startsWith("Bearer ")) raw = raw.slice("Bearer ".length);
  const decoded = decodeJwt(raw);
  if (!decoded) {
    addDiff(ctx, `${base} (${record.at})`, `expected a JWT, got ${show(token)}`, undefined, token);
    return;
  }
  compareValue(ctx, `${base}.header`, record.header, decoded.header);
  compareValue(ctx, `${base}.claims`, record.claims, decoded.claims, { claimsRoot: true });
  if (record.exp_minus_iat !== undefined) {
    const { exp, iat } = decoded.claims;
    const diff = typeof exp === "number" && typeof iat === "number" ? exp - iat : undefined;
    if (diff !== record.exp_minus_iat) {
      addDiff(ctx, `${base}.exp_minus_iat`, `expected exp - iat = ${record.exp_minus_iat}, got ${show(diff)}`, record.exp_minus_iat, diff);
    }
  }
}

function compareHeaders(ctx: CompareContext, expected: Record<string, string>, actual: Record<string, string>): void {
  for (const name of RECORDED_RESPONSE_HEADERS) {
    const e = expected[name];
    const a = actual[name];
    const path = `response.headers.${name}`;
    if (e === undefined && a === undefined) continue;
    if (e === undefined) {
      addDiff(ctx, path, `unexpected header ${name}: ${show(normalized(ctx, a))} (the recording has none)`, undefined, a);
    } else if (a === undefined) {
      addDiff(ctx, path, `missing header ${name} (expected ${show(e)})`, e, undefined);
    } else {
      compareString(ctx, path, e, a, undefined);
    }
  }
}

function compareLocationParams(
  ctx: CompareContext,
  expected: NonNullable<RecordedResponse["location_params"]>,
  location: string | undefined,
  opts: CompareOptions,
): void {
  if (location === undefined) return; // reported as a missing header
  const actual = locationParams(location);
  compareValue(ctx, "response.location_params.query", timesAsNumbers(expected.query), timesAsNumbers(actual.query), opts);
  compareValue(ctx, "response.location_params.fragment", timesAsNumbers(expected.fragment), timesAsNumbers(actual.fragment), opts);
}

/**
 * URL parameters are text, so the implicit flow's `expires_at=1796…` and `expires_in=600` are strings on
 * both sides; read the integer ones under the time keys as numbers, so that `<int>` and the `expires_in`
 * tolerance apply to them as they do to JSON bodies.
 */
function timesAsNumbers(params: Record<string, string>): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, INT_KEYS.has(key) && /^-?[0-9]+$/.test(value) ? Number(value) : value]),
  );
}

/** Compares one Auth server answer with its recorded step (status, headers, location parameters, body, jwt). */
export function compareResponse(
  ctx: CompareContext,
  expected: RecordedResponse,
  actual: ActualResponse,
  jwt?: JwtRecord,
  request?: unknown,
): void {
  if (expected.status !== actual.status) {
    addDiff(
      ctx,
      "response.status",
      `expected status ${expected.status}, got ${actual.status} with body ${show(normalized(ctx, actual.body))}`,
      expected.status,
      actual.status,
    );
    // Headers and body of a different answer would only repeat the same difference.
    return;
  }
  if (expected.headers) compareHeaders(ctx, expected.headers, actual.headers);
  if (expected.location_params) compareLocationParams(ctx, expected.location_params, actual.headers.location, {});
  if ("body" in expected) compareValue(ctx, "response.body", expected.body, actual.body);
  if (jwt) {
    // A token can sit in the Location (the implicit flow's fragment): `at` then reads `location_params`.
    const location = actual.headers.location;
    const response = location === undefined ? actual : { ...actual, location_params: locationParams(location) };
    compareJwt(ctx, "jwt", jwt, valueAt({ response, request } as Record<string, unknown>, jwt.at));
  }
}

/** Hides placeholders while an HTML template is parsed: `<provider_code_1>` would end a tag early. */
function parseTemplateForm(html: string) {
  const hidden: string[] = [];
  const masked = html.replace(placeholderRegex(), (m) => {
    hidden.push(m);
    return `\u0001${hidden.length - 1}\u0001`;
  });
  const form = parseHtmlForm(masked);
  if (!form) return null;
  const unmask = (s: string) => s.replace(/\u0001(\d+)\u0001/g, (_, i: string) => hidden[Number(i)] as string);
  return {
    action: unmask(form.action),
    method: form.method,
    fields: Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, unmask(v)])),
  };
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A provider emulator answer. The emulator is not under contract (the recording used a throwaway one): only
 * what the Auth server will receive matters — the redirect's code and state, or the form's action and fields
 * (Apple's `user` JSON compared as JSON). Extra parameters are allowed.
 */
export function compareProviderResponse(ctx: CompareContext, expected: RecordedResponse, actual: ActualResponse): void {
  if (expected.status !== actual.status) {
    addDiff(
      ctx,
      "response.status",
      `provider emulator: expected status ${expected.status}, got ${actual.status} ${show(normalized(ctx, actual.body))}`,
      expected.status,
      actual.status,
    );
    return;
  }
  if (expected.location_params) {
    const location = actual.headers.location;
    if (location === undefined) {
      addDiff(ctx, "response.headers.location", "provider emulator: missing redirect", expected.headers?.location, undefined);
      return;
    }
    const expectedTarget = (expected.headers?.location ?? "").split("?")[0] as string;
    const actualTarget = toRecorded(location.split("?")[0] as string, ctx.env);
    if (expectedTarget && actualTarget !== expectedTarget) {
      addDiff(ctx, "response.headers.location", `provider emulator: expected a redirect to ${expectedTarget}, got ${location}`, expectedTarget, location);
    }
    compareLocationParams(ctx, expected.location_params, location, { allowExtraKeys: true });
    return;
  }
  if (typeof expected.body === "string" && /<form\b/i.test(expected.body)) {
    const want = parseTemplateForm(expected.body);
    const got = typeof actual.body === "string" ? parseHtmlForm(actual.body) : null;
    if (!want) throw new Error(`unparsable recorded form in step ${ctx.step}`);
    if (!got) {
      addDiff(ctx, "response.body", `provider emulator: expected an auto-submitting form, got ${show(actual.body)}`, expected.body, actual.body);
      return;
    }
    compareString(ctx, "response.body.form.action", want.action, got.action, undefined);
    const wantFields = Object.fromEntries(
      Object.entries(want.fields)
        // Apple shares the name on the first authorization only, and the recorded flows do not always
        // match the emulator's memory of it (11 links an Apple user who signed in before). The callback
        // step replays the recorded fields anyway; when the emulator does send `user`, it must match.
        .filter(([k]) => k !== "user" || "user" in got.fields)
        .map(([k, v]) => [k, k === "user" ? parseJsonOr(v) : v]),
    );
    const gotFields = Object.fromEntries(
      Object.entries(got.fields).map(([k, v]) => [k, k === "user" ? parseJsonOr(v) : v]),
    );
    compareValue(ctx, "response.body.form.fields", wantFields, gotFields, { allowExtraKeys: true });
  }
}

/** The last step of 05: statuses (in any order) and the number of distinct refresh tokens returned. */
export function compareParallelSummary(
  ctx: CompareContext,
  expected: { statuses: number[]; distinct_refresh_tokens_returned: number },
  actual: { statuses: number[]; distinct_refresh_tokens_returned: number },
): void {
  const want = [...expected.statuses].sort();
  const got = [...actual.statuses].sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    addDiff(ctx, "response.statuses", `expected statuses ${show(want)}, got ${show(got)}`, want, got);
  }
  if (expected.distinct_refresh_tokens_returned !== actual.distinct_refresh_tokens_returned) {
    addDiff(
      ctx,
      "response.distinct_refresh_tokens_returned",
      `expected ${expected.distinct_refresh_tokens_returned} distinct refresh token(s), got ${actual.distinct_refresh_tokens_returned}`,
      expected.distinct_refresh_tokens_returned,
      actual.distinct_refresh_tokens_returned,
    );
  }
}

/** One line per difference: `file step N "name" path: message`. */
export function formatDiff(d: Diff): string {
  return `${d.file} step ${d.step} ${JSON.stringify(d.stepName)} ${d.path}: ${d.message}`;
}

export function formatDiffs(diffs: Diff[]): string {
  return diffs.map(formatDiff).join("\n");
}
