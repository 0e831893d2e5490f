import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { CompactSign, generateKeyPair, type CryptoKey } from "jose";
import * as OTPAuth from "otpauth";
import {
  addDiff,
  compareJwt,
  compareParallelSummary,
  compareProviderResponse,
  compareResponse,
  valueAt,
  type ActualResponse,
  type CompareContext,
  type Diff,
  type JwtRecord,
  type RecordedResponse,
} from "./compare.ts";
import {
  Bindings,
  collectPlaceholders,
  decodeJwt,
  locationParams,
  parseHtmlForm,
  parsePlaceholder,
  placeholderRegex,
  RECORDED,
  toLocal,
  type LocalEnv,
  type NumberedKind,
} from "./normalize.ts";

/** One transcript step (README, "File format"). */
export type Step = {
  step: string;
  request?: RecordedRequest;
  response?: RecordedResponse | ParallelSummary;
  jwt?: JwtRecord;
  request_jwt?: JwtRecord;
  note?: string;
};

export type RecordedRequest = {
  method: string;
  path: string;
  /** Only for the provider emulator. */
  origin?: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
};

export type ParallelSummary = { statuses: number[]; distinct_refresh_tokens_returned: number };

export type HttpRequest = { method: string; url: string; headers: Record<string, string>; body?: string };
export type HttpResponse = { status: number; headers: Record<string, string>; text: string };
/** `meta.recorded`: the request is the one the transcript recorded for step `meta.step` (not a helper request). */
export type Transport = (request: HttpRequest, meta?: { step: number; recorded: boolean }) => Promise<HttpResponse>;

export type ContractSecrets = { jwtSecret: string; anonKey: string; serviceRoleKey: string };

export type ReplayOptions = {
  env: LocalEnv;
  secrets: ContractSecrets;
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
  /** Called for every HTTP exchange (the CLI prints them with --verbose). */
  log?: (line: string) => void;
  /** Called before each step is performed (the harness installs the hook function a step needs). */
  beforeStep?: (step: Step, index: number) => Promise<void>;
};

export type FileResult = { file: string; diffs: Diff[]; steps: number };

/** Where the unrecorded sign-ins send the browser back to (the redirect_to every transcript uses). */
export const DEFAULT_REDIRECT_TO = "http://localhost:3000/auth/callback";

/** Plain HTTP/1.1 with exactly the given headers (fetch would add some and refuses others, like Referer). */
export const httpTransport: Transport = (request) =>
  new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: request.method,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${request.method} ${request.url}: no answer within 30 s`)));
    req.on("error", reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });

/** Parses an answer like the recorder did: JSON when it says so (and parses), text otherwise, null when empty. */
export function parseAnswer(res: HttpResponse): ActualResponse {
  let body: unknown = res.text === "" ? null : res.text;
  if (res.text !== "" && (res.headers["content-type"] ?? "").includes("json")) {
    try {
      body = JSON.parse(res.text);
    } catch {
      body = res.text;
    }
  }
  return { status: res.status, headers: res.headers, body };
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The waits a step name implies: "after 3 s", "(3 s later)", "3 s after …". Descriptions of the past ("revoked 3 s ago") are not waits. */
export function waitBefore(stepName: string): number {
  const m = /\bafter (\d+(?:\.\d+)?) s\b|\((\d+(?:\.\d+)?) s later\)|\b(\d+(?:\.\d+)?) s after\b/i.exec(stepName);
  if (!m) return 0;
  return Math.round(Number(m[1] ?? m[2] ?? m[3]) * 1000);
}

/** The provider a step is about: named in the step, else the expected user's provider, else Google. */
export function providerOf(step: Step, fallback: "google" | "apple" = "google"): "google" | "apple" {
  const named = [...new Set((step.step.match(/\b(google|apple)\b/gi) ?? []).map((s) => s.toLowerCase()))];
  if (named.length === 1) return named[0] as "google" | "apple";
  const body = (step.response as RecordedResponse | undefined)?.body as Record<string, any> | undefined;
  const provider = body?.user?.app_metadata?.provider ?? body?.app_metadata?.provider;
  return provider === "apple" || provider === "google" ? provider : fallback;
}

/** The user a step expects (from the recorded answer), for the sign-ins the transcript did not record. */
function expectedEmail(step: Step): string | undefined {
  const body = (step.response as RecordedResponse | undefined)?.body as Record<string, any> | undefined;
  if (typeof body?.user?.email === "string") return body.user.email;
  if (body && typeof body.email === "string" && "aud" in body) return body.email;
  return undefined;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function randomRefreshToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return [...randomBytes(12)].map((b) => alphabet[b % 32]).join("");
}

/** TOTP of a base32 secret at a time (ms), as an authenticator app computes it. */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({
    timestamp,
  });
}

/** A 6-digit code that is valid in none of the windows around now (the "wrong code" steps). */
export function wrongTotpCode(secret: string, timestamp = Date.now()): string {
  const valid = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => totpCode(secret, timestamp + d)));
  let n = (Number(totpCode(secret, timestamp)) + 500_000) % 1_000_000;
  while (valid.has(String(n).padStart(6, "0"))) n = (n + 1) % 1_000_000;
  return String(n).padStart(6, "0");
}

class FlowError extends Error {}

type RequestInfo = {
  method: string;
  path: string;
  query: URLSearchParams;
  form?: URLSearchParams;
};

type Consent =
  | { kind: "redirect"; location: string; code?: string; state?: string }
  | { kind: "form"; action: string; fields: Record<string, string> };

const KIND_ORDER: NumberedKind[] = [
  "state",
  "provider_code",
  "code",
  "code_challenge",
  "code_verifier",
  "uuid",
  "refresh_token",
  "secret",
  "provider_token",
  "totp",
  "jwt",
];

function isObject(value: unknown): value is Record<string, any> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * Replays one transcript against a local Auth server: substitutes the real values earlier answers produced for
 * the placeholders, generates fresh ones for placeholders first seen in a request, performs the steps the
 * transcript did not record (sign-ins, authorizes, consents) with the same machinery, and compares every
 * answer. Differences are collected, never thrown.
 */
export class FileReplay {
  readonly file: string;
  readonly steps: Step[];
  readonly bindings = new Bindings();
  readonly diffs: Diff[] = [];
  private readonly opts: ReplayOptions;
  private readonly transport: Transport;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly firstSeen = new Map<string, number>();
  private readonly challengeVerifier = new Map<string, string>();
  private readonly stateVerifier = new Map<string, string>();
  private readonly codeVerifier = new Map<string, string>();
  private readonly pendingSignIns = new Map<string, { code: string; verifier: string }>();
  private readonly factorSecrets = new Map<string, string>();
  private lastEmail: string | undefined;
  /** Where the last authorize sent the browser, and in which step. */
  private lastProviderUrl: { url: string; step: number } | undefined;
  private lastAccessToken: string | undefined;
  private forgeKey: CryptoKey | undefined;
  private stepIndex = -1;
  private stepName = "";

  constructor(file: string, steps: Step[], opts: ReplayOptions) {
    this.file = file;
    this.steps = steps;
    this.opts = opts;
    this.transport = opts.transport ?? httpTransport;
    this.sleep = opts.sleep ?? sleepMs;
    steps.forEach((step, i) => {
      const parts = [step.request, step.request_jwt, step.response, step.jwt];
      for (const part of parts) {
        for (const p of collectPlaceholders(part)) if (!this.firstSeen.has(p)) this.firstSeen.set(p, i);
      }
    });
  }

  private ctx(): CompareContext {
    return {
      bindings: this.bindings,
      env: this.opts.env,
      diffs: this.diffs,
      file: this.file,
      step: this.stepIndex,
      stepName: this.stepName,
      normalize: {
        anonKey: this.opts.secrets.anonKey,
        serviceRoleKey: this.opts.secrets.serviceRoleKey,
        ipAddresses: this.file.startsWith("16"),
      },
    };
  }

  private diff(path: string, message: string): void {
    addDiff(this.ctx(), path, message);
  }

  async run(): Promise<FileResult> {
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i] as Step;
      this.stepIndex = i;
      this.stepName = step.step;
      try {
        await this.opts.beforeStep?.(step, i);
        await this.runStep(step);
      } catch (error) {
        const message = error instanceof FlowError ? error.message : (error as Error).stack ?? String(error);
        this.diff("(harness)", `step could not be performed: ${message}`);
      }
    }
    return { file: this.file, diffs: this.diffs, steps: this.steps.length };
  }

  private async runStep(step: Step): Promise<void> {
    if (!step.request) {
      if (step.note && /signed in/i.test(step.note)) await this.setup(step.note);
      return;
    }
    if (step.response && "statuses" in step.response) return this.parallel(step, step.response);
    if (step.request.origin) return this.providerStep(step);
    return this.authStep(step);
  }

  // ---- HTTP ------------------------------------------------------------------------------------------

  private async send(request: HttpRequest, info?: RequestInfo, recorded = false): Promise<ActualResponse> {
    const res = await this.transport(request, { step: this.stepIndex, recorded });
    this.opts.log?.(`${this.file} #${this.stepIndex} ${request.method} ${request.url} → ${res.status}`);
    const answer = parseAnswer(res);
    if (info) this.track(info, answer);
    return answer;
  }

  private authUrl(path: string, query: Record<string, string> | URLSearchParams = {}): string {
    const qs = new URLSearchParams(query).toString();
    return `${this.opts.env.authOrigin}${path}${qs ? `?${qs}` : ""}`;
  }

  private async sendAuth(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body?: string,
    recorded = false,
  ): Promise<ActualResponse> {
    const info: RequestInfo = { method, path, query: new URLSearchParams(query) };
    if (body !== undefined && (headers["content-type"] ?? "").includes("x-www-form-urlencoded")) {
      info.form = new URLSearchParams(body);
    }
    return this.send({ method, url: this.authUrl(path, query), headers, ...(body !== undefined ? { body } : {}) }, info, recorded);
  }

  /** Remembers what later steps need: PKCE pairs by state and by code, the newest access token, TOTP secrets. */
  private track(info: RequestInfo, res: ActualResponse): void {
    const body = res.body;
    const location = res.headers.location ?? (isObject(body) && typeof body.url === "string" ? body.url : undefined);
    if ((info.path === "/authorize" || info.path === "/user/identities/authorize") && location) {
      this.lastProviderUrl = { url: location, step: this.stepIndex };
      const state = locationParams(location).query.state;
      const verifier = this.challengeVerifier.get(info.query.get("code_challenge") ?? "");
      if (state && verifier) this.stateVerifier.set(state, verifier);
    }
    if (info.path === "/callback" && location) {
      const state = info.query.get("state") ?? info.form?.get("state") ?? "";
      const code = locationParams(location).query.code;
      const verifier = this.stateVerifier.get(state);
      if (code && verifier) this.codeVerifier.set(code, verifier);
    }
    if (isObject(body)) {
      if (typeof body.access_token === "string") this.lastAccessToken = body.access_token;
      if (isObject(body.totp) && typeof body.totp.secret === "string" && typeof body.id === "string") {
        this.factorSecrets.set(body.id, body.totp.secret);
      }
    }
  }

  // ---- unrecorded parts of flows ---------------------------------------------------------------------

  private async authorize(provider: string): Promise<{ state: string; providerUrl: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    this.challengeVerifier.set(challenge, verifier);
    const query = { provider, redirect_to: DEFAULT_REDIRECT_TO, code_challenge: challenge, code_challenge_method: "s256" };
    const res = await this.sendAuth("GET", "/authorize", query, {});
    const location = res.headers.location;
    const state = location ? locationParams(location).query.state : undefined;
    if (res.status !== 302 || !location || !state) {
      throw new FlowError(`unrecorded GET /authorize?provider=${provider} answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    return { state, providerUrl: location, verifier };
  }

  private async consent(providerUrl: string, email: string): Promise<Consent> {
    const url = new URL(providerUrl);
    url.searchParams.set("login_hint", email);
    const res = await this.send({ method: "GET", url: url.toString(), headers: {} });
    const location = res.headers.location;
    if ((res.status === 302 || res.status === 303) && location) {
      const q = locationParams(location).query;
      return { kind: "redirect", location, code: q.code, state: q.state };
    }
    const form = res.status === 200 && typeof res.body === "string" ? parseHtmlForm(res.body) : null;
    if (form) return { kind: "form", action: form.action, fields: form.fields };
    throw new FlowError(`provider emulator ${url} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }

  private async callback(consent: Consent): Promise<string> {
    let res: ActualResponse;
    if (consent.kind === "redirect") {
      const url = new URL(consent.location);
      res = await this.sendAuth("GET", "/callback", Object.fromEntries(url.searchParams), {});
    } else {
      const body = new URLSearchParams(consent.fields).toString();
      res = await this.sendAuth("POST", "/callback", {}, { "content-type": "application/x-www-form-urlencoded" }, body);
    }
    const location = res.headers.location;
    const code = location ? locationParams(location).query.code : undefined;
    if (!code) throw new FlowError(`unrecorded callback answered ${res.status} ${location ?? JSON.stringify(res.body)}`);
    return code;
  }

  /** authorize → provider consent (login_hint) → callback: a PKCE code ready for the exchange. */
  async signIn(provider: string, email: string): Promise<{ code: string; verifier: string }> {
    const flow = await this.authorize(provider);
    const code = await this.callback(await this.consent(flow.providerUrl, email));
    return { code, verifier: flow.verifier };
  }

  async exchange(code: string, verifier: string): Promise<Record<string, any>> {
    const res = await this.sendAuth("POST", "/token", { grant_type: "pkce" }, this.apiHeaders(), JSON.stringify({
      auth_code: code,
      code_verifier: verifier,
    }));
    if (res.status !== 200 || !isObject(res.body)) {
      throw new FlowError(`unrecorded token exchange answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  private apiHeaders(): Record<string, string> {
    return {
      authorization: `Bearer ${this.opts.secrets.anonKey}`,
      apikey: this.opts.secrets.anonKey,
      "content-type": "application/json;charset=UTF-8",
      "x-supabase-api-version": "2024-01-01",
    };
  }

  /** A "setup" note such as `admin-a (Google), admin-b (Google), admin-c (Apple), in that order; only admin-b's token exchange is recorded`. */
  private async setup(note: string): Promise<void> {
    const deferred = new Set([...note.matchAll(/only ([A-Za-z0-9._+@-]+)'s token exchange is recorded/g)].map((m) => m[1]));
    for (const m of note.matchAll(/([A-Za-z0-9._+@-]+) \((Google|Apple)\)/g)) {
      const name = m[1] as string;
      const email = name.includes("@") ? name : `${name}@example.com`;
      // One failing sign-in must not keep the others (and their order of creation) from happening.
      try {
        const flow = await this.signIn((m[2] as string).toLowerCase(), email);
        if (deferred.has(name)) this.pendingSignIns.set(email, flow);
        else await this.exchange(flow.code, flow.verifier);
      } catch (error) {
        this.diff("(harness)", `setup sign-in of ${email} failed: ${(error as Error).message}`);
      }
    }
  }

  // ---- placeholders ------------------------------------------------------------------------------------

  /** Replaces the placeholders of a recorded request value by real values (all bound beforehand). */
  private materialize<T>(value: T): T {
    if (typeof value === "string") {
      const replaced = value.replace(placeholderRegex(), (m) => {
        if (m === "<anon_key>") return this.opts.secrets.anonKey;
        if (m === "<service_role_key>") return this.opts.secrets.serviceRoleKey;
        const bound = this.bindings.get(m);
        if (bound === undefined) throw new Error(`unbound placeholder ${m}`);
        return bound;
      });
      return toLocal(replaced, this.opts.env) as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.materialize(v)) as T;
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.materialize(v)])) as T;
    }
    return value;
  }

  /**
   * Binds every placeholder of the step's request that has no value yet. A placeholder first seen in an
   * earlier step must have been bound by that step; if not, the step cannot be sent (returns false).
   */
  private async prepare(step: Step): Promise<boolean> {
    const request = step.request as RecordedRequest;
    const unbound = collectPlaceholders([request, step.request_jwt ?? null]).filter((p) => !this.bindings.has(p));
    const missing = unbound.filter((p) => (this.firstSeen.get(p) ?? this.stepIndex) < this.stepIndex);
    if (missing.length > 0) {
      this.diff(
        "(harness)",
        `not sent: ${missing.join(", ")} should have come from an earlier answer (see the differences above)`,
      );
      return false;
    }
    const byKind = (p: string) => KIND_ORDER.indexOf((parsePlaceholder(p) as { kind: NumberedKind }).kind);
    unbound.sort((a, b) => byKind(a) - byKind(b));
    for (const p of unbound) {
      if (this.bindings.has(p)) continue; // bound as a side effect (a state together with its provider code)
      const value = await this.generate(step, p, unbound);
      const conflict = this.bindings.bind(p, value);
      if (conflict) throw new Error(`generated value for ${p}: ${conflict}`);
    }
    return true;
  }

  private async generate(step: Step, placeholder: string, unbound: string[]): Promise<string> {
    const p = parsePlaceholder(placeholder) as { kind: NumberedKind };
    const request = step.request as RecordedRequest;
    const name = step.step;
    switch (p.kind) {
      case "state": {
        if (/unknown state/i.test(name)) return randomUUID();
        // A valid state: an authorize the transcript did not record.
        const flow = await this.authorize(providerOf(step));
        const codePlaceholder = unbound.find((u) => u.startsWith("<provider_code_"));
        if (codePlaceholder && !/does not know|unknown code/i.test(name)) {
          const consent = await this.consent(flow.providerUrl, this.lastEmail ?? "contract@example.com");
          const code = consent.kind === "redirect" ? consent.code : consent.fields.code;
          if (!code) throw new FlowError("the provider emulator returned no code");
          this.bindings.bind(codePlaceholder, code);
        }
        return flow.state;
      }
      case "provider_code":
        // Unknown to the provider; the server echoes the first 4 characters ("ffff") in its error.
        return `ffff${randomBytes(14).toString("hex")}`;
      case "code": {
        const email = expectedEmail(step) ?? this.lastEmail ?? "contract@example.com";
        const pending = this.pendingSignIns.get(email);
        if (pending) {
          this.pendingSignIns.delete(email);
          this.codeVerifier.set(pending.code, pending.verifier);
          return pending.code;
        }
        const status = (step.response as RecordedResponse | undefined)?.status ?? 0;
        if (/not recorded/i.test(name) || /not recorded/i.test(step.note ?? "") || (status >= 200 && status < 300)) {
          const flow = await this.signIn(providerOf(step), email);
          this.codeVerifier.set(flow.code, flow.verifier);
          return flow.code;
        }
        return randomUUID();
      }
      case "code_challenge": {
        const { verifier, challenge } = pkcePair();
        const method = (request.query.code_challenge_method ?? "s256").toLowerCase();
        const value = method === "plain" ? verifier : challenge;
        this.challengeVerifier.set(value, verifier);
        return value;
      }
      case "code_verifier": {
        if (/wrong/i.test(name)) return pkcePair().verifier;
        const body = isObject(request.body) ? request.body : {};
        const code = typeof body.auth_code === "string" ? this.materialize(body.auth_code) : undefined;
        return (code && this.codeVerifier.get(code)) ?? pkcePair().verifier;
      }
      case "uuid":
        return randomUUID();
      case "refresh_token":
        return randomRefreshToken();
      case "totp": {
        const factor = /\/factors\/([^/]+)\/verify/.exec(this.materialize(request.path))?.[1];
        const secret = (factor && this.factorSecrets.get(factor)) ?? [...this.factorSecrets.values()].pop();
        if (!secret) throw new FlowError(`no enrolled TOTP secret to compute ${placeholder}`);
        return /wrong/i.test(name) ? wrongTotpCode(secret) : totpCode(secret);
      }
      case "jwt":
        if (step.request_jwt) return this.forge(step, step.request_jwt);
        throw new FlowError(`${placeholder} is first seen in a request but the step has no request_jwt record`);
      default:
        return randomBytes(16).toString("hex");
    }
  }

  /**
   * A token built as the step name says, from the claims of the newest real access token: HS256 with another
   * secret or the server's JWT secret, ES256 with a fresh key, an edited payload under the original signature,
   * or `alg: none`. The record's header and claims say what to put in (fresh placeholders are already bound).
   */
  private async forge(step: Step, record: JwtRecord): Promise<string> {
    const real = this.lastAccessToken;
    const template = decodeJwt(real);
    if (!real || !template) throw new FlowError("no access token from the server to forge from");
    const header = this.fromTemplate(record.header, template.header, []) as Record<string, unknown>;
    const claims = this.fromTemplate(record.claims, template.claims, []) as Record<string, unknown>;
    const name = step.step;
    if (record.exp_minus_iat !== undefined && "exp" in claims && "iat" in claims) {
      const now = Math.floor(Date.now() / 1000);
      const exp = /exp(?:ired)? in the past|\bexpired\b/i.test(name) ? now - 60 : (claims.exp as number);
      claims.exp = exp;
      claims.iat = exp - record.exp_minus_iat;
    }
    if (header.alg === "none") return `${b64json(header)}.${b64json(claims)}.`;
    if (/original signature|edited payload/i.test(name)) {
      const [h, , s] = real.split(".");
      return `${h}.${b64json(claims)}.${s}`;
    }
    const payload = new TextEncoder().encode(JSON.stringify(claims));
    if (header.alg === "HS256") {
      const secret = /another secret|other secret|wrong secret|guessed secret/i.test(name)
        ? randomBytes(32).toString("hex")
        : this.opts.secrets.jwtSecret;
      return new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(new TextEncoder().encode(secret));
    }
    if (header.alg === "ES256") {
      this.forgeKey ??= (await generateKeyPair("ES256")).privateKey;
      return new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(this.forgeKey);
    }
    throw new FlowError(`cannot forge a token with alg ${String(header.alg)}`);
  }

  /** A recorded header/claims object with real values: placeholders from the bindings, the rest from the real token where it depends on where things run. */
  private fromTemplate(recorded: unknown, template: unknown, path: string[]): unknown {
    const key = path[path.length - 1];
    const parent = path[path.length - 2];
    if (typeof recorded === "string") {
      if (recorded === "<int>") return typeof template === "number" ? template : Math.floor(Date.now() / 1000);
      if (parsePlaceholder(recorded)) return this.materialize(recorded);
      const local =
        (path.length === 1 && (key === "iss" || key === "kid") && recorded === (key === "kid" ? RECORDED.kid : recorded)) ||
        (parent !== undefined &&
          ["user_metadata", "identity_data"].includes(parent) &&
          ["sub", "provider_id", "picture", "avatar_url", "iss"].includes(key ?? ""));
      if (local && typeof template === "string") return template;
      return toLocal(recorded, this.opts.env);
    }
    if (Array.isArray(recorded)) {
      return recorded.map((v, i) => this.fromTemplate(v, Array.isArray(template) ? template[i] : undefined, [...path, String(i)]));
    }
    if (isObject(recorded)) {
      return Object.fromEntries(
        Object.entries(recorded).map(([k, v]) => [k, this.fromTemplate(v, isObject(template) ? template[k] : undefined, [...path, k])]),
      );
    }
    return recorded;
  }

  // ---- steps -------------------------------------------------------------------------------------------

  private noteExpectedUser(step: Step): void {
    const email = expectedEmail(step);
    if (email) this.lastEmail = email;
  }

  private async authStep(step: Step): Promise<void> {
    if (!(await this.prepare(step))) return;
    // The waits a step name implies ("after 3 s") are real: the server's reuse interval is 2 s.
    const wait = waitBefore(step.step);
    if (wait > 0) await this.sleep(wait);
    const request = step.request as RecordedRequest;
    const headers = this.materialize(request.headers);
    const query = this.materialize(request.query);
    const path = this.materialize(request.path);
    let body: string | undefined;
    if (request.body !== null && request.body !== undefined) {
      const value = this.materialize(request.body);
      if (typeof value === "string") body = value;
      else if ((headers["content-type"] ?? "").includes("x-www-form-urlencoded")) {
        body = new URLSearchParams(value as Record<string, string>).toString();
      } else body = JSON.stringify(value);
    }
    if (step.request_jwt) {
      compareJwt(this.ctx(), "request_jwt", step.request_jwt, valueAt({ request: { headers } }, step.request_jwt.at));
    }
    const actual = await this.sendAuth(request.method, path, query, headers, body, true);
    compareResponse(this.ctx(), step.response as RecordedResponse, actual, step.jwt, { headers, query, body });
    this.noteExpectedUser(step);
  }

  private async providerStep(step: Step): Promise<void> {
    const request = step.request as RecordedRequest;
    const hint = request.query.login_hint;
    if (hint) this.lastEmail = hint;
    let url: URL;
    if (this.lastProviderUrl && this.lastProviderUrl.step === this.stepIndex - 1) {
      // The browser follows the authorize answer of the step before.
      url = new URL(this.lastProviderUrl.url);
    } else {
      // The authorize step failed; build the consent URL from the recording.
      if (!(await this.prepare(step))) return;
      const recorded = `${request.origin}${request.path}`;
      url = new URL(toLocal(recorded, this.opts.env));
      for (const [k, v] of Object.entries(this.materialize(request.query))) url.searchParams.set(k, v);
    }
    if (hint) url.searchParams.set("login_hint", hint);
    this.lastProviderUrl = undefined;
    const actual = await this.send({ method: request.method, url: url.toString(), headers: {} }, undefined, true);
    compareProviderResponse(this.ctx(), step.response as RecordedResponse, actual);
  }

  private async parallel(step: Step, expected: ParallelSummary): Promise<void> {
    const request = step.request as RecordedRequest;
    const email = this.lastEmail ?? "contract@example.com";
    const flow = await this.signIn(providerOf(step), email);
    const session = await this.exchange(flow.code, flow.verifier);
    const refreshToken = session.refresh_token as string;
    const headers = this.materialize(request.headers);
    const query = this.materialize(request.query);
    const body = JSON.stringify(request.body).replace(/<refresh_token>/g, refreshToken);
    const answers = await Promise.all(
      expected.statuses.map(() => this.sendAuth(request.method, request.path, query, headers, this.materialize(body), true)),
    );
    const tokens = answers
      .map((a) => (isObject(a.body) ? a.body.refresh_token : undefined))
      .filter((t): t is string => typeof t === "string");
    compareParallelSummary(this.ctx(), expected, {
      statuses: answers.map((a) => a.status),
      distinct_refresh_tokens_returned: new Set(tokens).size,
    });
  }
}

export async function replayFile(file: string, steps: Step[], opts: ReplayOptions): Promise<FileResult> {
  return new FileReplay(file, steps, opts).run();
}
