import { generateKeyPairSync, randomBytes, randomUUID, sign as signData } from "node:crypto";
import {
  addDiff,
  compareValue,
  deriveAll,
  matchTemplate,
  parseDerivation,
  type ActualResponse,
  type CompareContext,
  type Derivation,
  type Diff,
  type JwtRecord,
  type RecordedResponse,
} from "./compare.ts";
import { Bindings, locationParams, parsePlaceholder, placeholderRegex, toLocal, type LocalEnv } from "./normalize.ts";
import type { ContractSecrets, HttpRequest, HttpResponse, ParallelSummary, Step, Transport } from "./replay.ts";

/**
 * Test support, no server needed: turns recorded answers back into plausible real ones ("materializes" them)
 * and answers a replay like the recorded server would, so the harness's placeholder logic and comparison
 * can be tested against every transcript.
 */

const fakeKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An ES256 token with exactly these header fields and claims (the fake server's signature). */
export function fakeJwt(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = signData("sha256", Buffer.from(input), { key: fakeKey.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

function randomBase32(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return [...randomBytes(length)].map((b) => alphabet[b % 32]).join("");
}

function isObject(value: unknown): value is Record<string, any> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

export type Materializer = {
  bindings: Bindings;
  env: LocalEnv;
  secrets: ContractSecrets;
};

/** A real-looking value for a placeholder, bound so that equal placeholders get equal values. */
function valueFor(m: Materializer, placeholder: string, key: string | undefined): unknown {
  const p = parsePlaceholder(placeholder);
  if (!p) return placeholder;
  if (!p.numbered) {
    const now = Math.floor(Date.now() / 1000);
    switch (p.kind) {
      case "anon_key":
        return m.secrets.anonKey;
      case "service_role_key":
        return m.secrets.serviceRoleKey;
      case "time":
        return new Date().toISOString();
      case "int":
        return key === "expires_in" ? 600 : now;
      case "ip":
        return "127.0.0.1";
      case "qr":
        return 'data:image/svg+xml;utf-8,<svg xmlns="http://www.w3.org/2000/svg"></svg>';
      default:
        return randomBytes(32).toString("base64url");
    }
  }
  const bound = m.bindings.get(placeholder);
  if (bound !== undefined) return bound;
  let value: string;
  switch (p.kind) {
    case "uuid":
    case "code":
    case "state":
      value = randomUUID();
      break;
    case "refresh_token":
      value = randomBase32(12).toLowerCase();
      break;
    case "secret":
      value = randomBase32(32);
      break;
    case "totp":
      value = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
      break;
    case "jwt":
      value = fakeJwt({ alg: "ES256", kid: "fake-kid", typ: "JWT" }, { sub: randomUUID() });
      break;
    default:
      value = randomBytes(16).toString("hex");
  }
  m.bindings.bind(placeholder, value);
  return value;
}

/**
 * A value the recording names by its derivation (18): computed from the enclosing object's user id and the
 * last email and provider id the fake has handed out, as the real server derives it.
 */
function derivedValue(m: Materializer, d: Derivation, scopes: Record<string, unknown>[]): string {
  const userId = [...scopes].reverse().map((o) => (typeof o.user_id === "string" ? o.user_id : "aud" in o ? o.id : undefined))
    .find((v): v is string => typeof v === "string");
  const last = (kind: string) => m.bindings.remembered(kind).slice(-1);
  const [value] = deriveAll(d, { "user id": userId ? [userId] : [], email: last("email"), "provider id": last("provider_id") });
  return value ?? "";
}

/** A recorded value with its placeholders replaced by real-looking values and the recorded origins by local ones. */
export function materialize(m: Materializer, value: unknown, key?: string, scopes: Record<string, unknown>[] = []): unknown {
  if (typeof value === "string") {
    if (parsePlaceholder(value)) return valueFor(m, value, key);
    const out = toLocal(value.replace(placeholderRegex(), (ph) => String(valueFor(m, ph, key))), m.env);
    if ((key === "email" || key === "provider_id") && out !== "") m.bindings.remember(key, out);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => materialize(m, v, undefined, scopes));
  if (isObject(value)) {
    // Plain values first, so that derived ones can read the object's own (materialized) ids.
    const out: Record<string, unknown> = {};
    const inner = [...scopes, out];
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" && parseDerivation(v)) out[k] = v;
      else out[k] = materialize(m, v, k, inner);
    }
    for (const [k, v] of Object.entries(value)) {
      const d = typeof v === "string" ? parseDerivation(v) : null;
      if (d) out[k] = derivedValue(m, d, inner);
    }
    return out;
  }
  return value;
}

/** The token a `jwt` record describes, bound to the placeholder found at `at` in the recorded step. */
function materializeJwt(m: Materializer, record: JwtRecord, recordedToken: unknown): void {
  if (typeof recordedToken !== "string" || !parsePlaceholder(recordedToken) || m.bindings.has(recordedToken)) return;
  const header = materialize(m, record.header) as Record<string, unknown>;
  const claims = materialize(m, record.claims) as Record<string, unknown>;
  if (record.exp_minus_iat !== undefined && "exp" in claims && "iat" in claims) {
    claims.exp = (claims.iat as number) + record.exp_minus_iat;
  }
  m.bindings.bind(recordedToken, fakeJwt(header, claims));
}

function valueAtPath(root: unknown, at: string): unknown {
  let cur = root;
  for (const part of at.split(".")) cur = isObject(cur) ? cur[part] : undefined;
  return cur;
}

/** The answer a server would have given for a recorded step (headers, location, body, and the JWT its record describes). */
export function materializeResponse(m: Materializer, step: Step): ActualResponse {
  const response = step.response as RecordedResponse;
  if (step.jwt) materializeJwt(m, step.jwt, valueAtPath({ response }, step.jwt.at));
  const headers = materialize(m, response.headers ?? {}) as Record<string, string>;
  return { status: response.status, headers, body: materialize(m, response.body ?? null) };
}

function toHttp(answer: ActualResponse): HttpResponse {
  const text = answer.body === null ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  return { status: answer.status, headers: answer.headers, text };
}

/**
 * A transport that plays the recorded server: the recorded request of each step (`meta.recorded`) is checked
 * against the transcript with the fake's own bindings (so an inconsistent substitution by the harness shows up
 * in `diffs`) and answered with the materialized recorded answer; the unrecorded parts of flows (authorize,
 * consent, callback, exchange) get generic answers.
 */
export function fakeServer(steps: Step[], env: LocalEnv, secrets: ContractSecrets) {
  const m: Materializer = { bindings: new Bindings(), env, secrets };
  const diffs: Diff[] = [];
  const flows = new Map<string, { provider: string; redirectTo: string }>();
  let pointer = 0;

  const generic = (req: HttpRequest): HttpResponse => {
    const url = new URL(req.url);
    const q = url.searchParams;
    if (url.origin === env.authOrigin && url.pathname === "/authorize") {
      const state = randomUUID();
      const provider = q.get("provider") ?? "google";
      flows.set(state, { provider, redirectTo: q.get("redirect_to") ?? "http://localhost:3000" });
      return { status: 302, headers: { location: `${env.providerOrigins[0]}/${provider}/authorize?state=${state}` }, text: "" };
    }
    if (url.origin !== env.authOrigin) {
      const state = q.get("state") ?? "";
      const code = randomBytes(8).toString("hex");
      if (url.pathname.startsWith("/apple")) {
        const html = `<form method=post action="${env.authOrigin}/callback"><input name=code value="${code}"><input name=state value="${state}"></form>`;
        return { status: 200, headers: { "content-type": "text/html" }, text: html };
      }
      return { status: 302, headers: { location: `${env.authOrigin}/callback?code=${code}&state=${state}` }, text: "" };
    }
    if (url.pathname === "/callback") {
      const state = q.get("state") ?? new URLSearchParams(req.body ?? "").get("state") ?? "";
      const flow = flows.get(state);
      return { status: 302, headers: { location: `${flow?.redirectTo ?? "http://localhost:3000"}?code=${randomUUID()}` }, text: "" };
    }
    if (url.pathname === "/token") {
      const body = JSON.stringify({
        access_token: fakeJwt({ alg: "ES256", kid: "fake-kid", typ: "JWT" }, { sub: randomUUID(), iat: 1, exp: 601 }),
        token_type: "bearer",
        expires_in: 600,
        refresh_token: randomBase32(12).toLowerCase(),
      });
      return { status: 200, headers: { "content-type": "application/json" }, text: body };
    }
    return { status: 404, headers: {}, text: "" };
  };

  const ctxFor = (index: number): CompareContext => ({
    bindings: m.bindings,
    env,
    diffs,
    file: "fake",
    step: index,
    stepName: steps[index]?.step ?? "",
    normalize: { anonKey: secrets.anonKey, serviceRoleKey: secrets.serviceRoleKey },
  });

  /** The recorded request vs what the harness sent: method, path, query, recorded headers, body. */
  const checkRequest = (index: number, req: HttpRequest) => {
    const step = steps[index] as Step;
    const recorded = step.request!;
    const ctx = ctxFor(index);
    const url = new URL(req.url);
    if (req.method !== recorded.method) addDiff(ctx, "request.method", `expected ${recorded.method}, got ${req.method}`);
    if (!recorded.origin) matchTemplate(ctx, "request.path", recorded.path, url.pathname);
    const query = Object.fromEntries(url.searchParams);
    if (recorded.origin) {
      compareValue(ctx, "request.query", { login_hint: recorded.query.login_hint }, { login_hint: query.login_hint });
    } else {
      compareValue(ctx, "request.query", recorded.query, query);
    }
    const headers = Object.fromEntries(Object.keys(recorded.headers).map((k) => [k, req.headers[k]]));
    compareValue(ctx, "request.headers", recorded.headers, headers);
    if (recorded.body !== null && recorded.body !== undefined) {
      let body: unknown = req.body;
      if ((recorded.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) {
        body = Object.fromEntries(new URLSearchParams(req.body ?? ""));
      } else if (typeof recorded.body !== "string") {
        try {
          body = JSON.parse(req.body ?? "");
        } catch {
          /* compared as a string */
        }
      }
      compareValue(ctx, "request.body", recorded.body, body);
    } else if (req.body !== undefined) {
      addDiff(ctx, "request.body", `expected no body, got ${req.body}`);
    }
  };

  const refreshAnswers = new Map<string, string>();
  const transport: Transport = async (req, meta) => {
    if (!meta?.recorded) return generic(req);
    const index = meta.step;
    pointer = Math.max(pointer, index);
    const step = steps[index] as Step;
    if (step.response && "statuses" in step.response) {
      const summary = step.response as ParallelSummary;
      const input = JSON.parse(req.body ?? "{}").refresh_token as string;
      if (!refreshAnswers.has(input)) refreshAnswers.set(input, randomBase32(12).toLowerCase());
      const same = summary.distinct_refresh_tokens_returned === 1;
      const token = same ? refreshAnswers.get(input) : randomBase32(12).toLowerCase();
      return { status: summary.statuses[0] ?? 200, headers: { "content-type": "application/json" }, text: JSON.stringify({ refresh_token: token }) };
    }
    checkRequest(index, req);
    return toHttp(materializeResponse(m, step));
  };

  return { transport, diffs, bindings: m.bindings, materializer: m, stepsAnswered: () => pointer };
}

/** A location's query and fragment, for assertions. */
export { locationParams };
