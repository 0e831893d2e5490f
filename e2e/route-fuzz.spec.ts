import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { TOTP } from "otpauth";
import { APP_ORIGIN, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// A malformed-request fuzz over every route handler (and server action) of the app: never a 5xx, never a hang, a 4xx for every
// garbage body sent to a state-changing method, and nothing changed for the signed-in user. The routes are
// discovered from app/**/route.ts at run time, so a route added later is fuzzed without editing this file.

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];
const STATE_CHANGING = new Set<Method>(["POST", "PUT", "PATCH", "DELETE"]);
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------------
// Discovery

type Segment = { kind: "static"; value: string } | { kind: "dynamic" | "catch-all"; name: string };

type Route = {
  file: string;
  /** The URL pattern, e.g. /api/admin/users/[id]. */
  pattern: string;
  segments: Segment[];
  methods: Method[];
  /** How the handler reads its body: readJson, readForm, or neither. */
  reads: "json" | "form" | "none";
  /** Field names of the zod object schemas in the route and the lib modules it imports. */
  fields: string[];
  /** Query parameter names the route and its lib modules read. */
  params: string[];
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function parseSegments(file: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const part of relative("app", dirname(file)).split(sep).filter(Boolean)) {
    if (/^\(.*\)$/.test(part) || part.startsWith("@")) continue; // route groups and parallel slots are not in the URL
    if (part.startsWith("_")) return null; // private folders are not routes
    const catchAll = /^\[\[?\.\.\.(\w+)\]\]?$/.exec(part);
    const dynamic = /^\[(\w+)\]$/.exec(part);
    if (catchAll) segments.push({ kind: "catch-all", name: catchAll[1] as string });
    else if (dynamic) segments.push({ kind: "dynamic", name: dynamic[1] as string });
    else segments.push({ kind: "static", value: part });
  }
  return segments;
}

/** The HTTP methods a route module exports: `export const POST =`, `export async function GET(`, `export { h as GET }`. */
function exportedMethods(source: string): Method[] {
  const found = new Set<string>();
  const names = METHODS.join("|");
  for (const m of source.matchAll(new RegExp(`export\\s+(?:const|let|var)\\s+(${names})\\b`, "g"))) found.add(m[1] as string);
  for (const m of source.matchAll(new RegExp(`export\\s+(?:async\\s+)?function\\s*\\*?\\s*(${names})\\b`, "g"))) found.add(m[1] as string);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const spec of (m[1] as string).split(",")) {
      const name = spec.trim().split(/\s+as\s+/).pop()?.trim() ?? "";
      if ((METHODS as readonly string[]).includes(name)) found.add(name);
    }
  }
  return METHODS.filter((method) => found.has(method));
}

function resolveImport(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = spec.slice(2);
  else if (spec.startsWith(".")) base = join(dirname(from), spec);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    if (/\.(ts|tsx)$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

/** The route module and the app modules it imports, three levels deep (not the clients, SQL or config): where its schemas and query reads are. */
function sources(file: string): string[] {
  const seen = new Set<string>([file]);
  let frontier = [file];
  for (let depth = 0; depth < 3; depth++) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const m of readFileSync(f, "utf8").matchAll(/from\s+"([^"]+)"/g)) {
        const target = resolveImport(f, m[1] as string);
        if (target && !seen.has(target) && !/^lib[\\/](supabase|db|config)\b/.test(target)) {
          seen.add(target);
          next.push(target);
        }
      }
    }
    frontier = next;
  }
  return [...seen].map((f) => readFileSync(f, "utf8"));
}

/** The top-level keys of every `z.object({ … })` / `z.strictObject({ … })` in `source`, shorthand keys included. */
function objectSchemaKeys(source: string): string[] {
  const keys: string[] = [];
  for (const m of source.matchAll(/\bz\s*\.\s*(?:strict|loose)?[oO]bject\s*\(\s*\{/g)) {
    let depth = 1;
    let quote: string | null = null;
    let piece = "";
    const pieces: string[] = [];
    for (let i = (m.index as number) + m[0].length; i < source.length && depth > 0; i++) {
      const ch = source[i] as string;
      if (quote) {
        if (ch === "\\") i++;
        else if (ch === quote) quote = null;
        if (depth === 1) piece += ch;
        continue;
      }
      if (ch === '"' || ch === "'" || ch === "`") quote = ch;
      if ("([{".includes(ch)) depth++;
      if (")]}".includes(ch)) depth--;
      if (depth === 1 && ch === ",") {
        pieces.push(piece);
        piece = "";
      } else if (depth >= 1) piece += ch;
    }
    pieces.push(piece);
    for (const p of pieces) {
      const key = /^["']?([A-Za-z_$][\w$]*)["']?\s*(?::|$)/.exec(p.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "").trim());
      if (key) keys.push(key[1] as string);
    }
  }
  return keys;
}

function discoverRoutes(): Route[] {
  const routes: Route[] = [];
  for (const file of walk("app")) {
    const segments = parseSegments(file);
    if (!segments) continue;
    const source = readFileSync(file, "utf8");
    const all = sources(file).join("\n");
    const fields = new Set(objectSchemaKeys(all).filter((k) => !/^[A-Z0-9_]+$/.test(k))); // not the environment's names
    const params = new Set<string>();
    for (const m of all.matchAll(/(?:searchParams|params|query)\.(?:get|getAll|has)\(\s*"([\w.-]+)"/g)) params.add(m[1] as string);
    routes.push({
      file,
      pattern: `/${segments.map((s) => (s.kind === "static" ? s.value : s.kind === "dynamic" ? `[${s.name}]` : `[...${s.name}]`)).join("/")}`,
      segments,
      methods: exportedMethods(source),
      reads: /\breadForm\(/.test(source) ? "form" : /\breadJson\(/.test(source) ? "json" : "none",
      fields: [...fields].sort(),
      params: [...params].sort(),
    });
  }
  return routes;
}

const ROUTES = discoverRoutes();

// ---------------------------------------------------------------------------------------------------------
// Routes that answer some garbage with something other than a 4xx, on purpose. Nothing else may.

/**
 * Form routes whose answer to a form post of any content is a redirect to the login page. Both are posted by
 * plain HTML forms (no JavaScript), so their answer must be a page to land on, not a JSON error.
 */
const FORM_REDIRECTS: Record<string, { why: string; ok: (location: URL) => boolean }> = {
  // Sign-out takes no input: any form post signs this device out ("scope" other than "global" means this
  // device), so a form with unknown or garbage fields is still a sign-out.
  "/auth/sign-out": { why: "sign-out ignores the form's fields", ok: (l) => l.pathname === "/login" && l.searchParams.get("signed_out") === "1" },
  // A bad sign-in form (no provider, unknown provider, repeated fields) is shown on the login page as `error`.
  "/auth/sign-in": { why: "a bad sign-in form goes back to the login page with an error", ok: (l) => l.pathname === "/login" && l.searchParams.has("error") },
};

/**
 * Routes a garbage request may legitimately sign the caller out of, and for which signed-in personas. When
 * signed in, their requests go through a throwaway session of another user of the same kind, signed in again
 * whenever it has been ended, so the battery's own user keeps theirs. Any other response that clears the
 * session cookie fails the test.
 */
const SESSION_ENDING: Record<string, { why: string; personas: string[] }> = {
  // A form post of any content signs this device out (above).
  "/auth/sign-out": { why: "sign-out ignores the form's fields", personas: ["user", "admin", "mfa-pending"] },
};


// ---------------------------------------------------------------------------------------------------------
// The battery

type BodyKind = "none" | "json" | "form" | "other";
type BodyCase = { name: string; kind: BodyKind; contentType?: string; body?: Buffer; core?: boolean };

const utf8 = (s: string) => Buffer.from(s, "utf8");
const json = (name: string, value: unknown, core = false): BodyCase => ({
  name,
  kind: "json",
  contentType: "application/json",
  body: utf8(JSON.stringify(value)),
  core,
});
const rawJson = (name: string, body: Buffer | string, contentType = "application/json", core = false): BodyCase => ({
  name,
  kind: "json",
  contentType,
  body: typeof body === "string" ? utf8(body) : body,
  core,
});
const form = (name: string, body: Buffer | string, core = false): BodyCase => ({
  name,
  kind: "form",
  contentType: "application/x-www-form-urlencoded",
  body: typeof body === "string" ? utf8(body) : body,
  core,
});

function multipart(fields: Record<string, string>, boundary = "----fuzz7MA4YWxkTrZu0gW"): Buffer {
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return utf8(`${parts.join("")}--${boundary}--\r\n`);
}

const KB100 = "a".repeat(100 * 1024);
const MB1 = "b".repeat(1024 * 1024);
const nestedArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

const BODY_CASES: BodyCase[] = [
  { name: "no body", kind: "none", core: true },
  { name: "no body, JSON content type", kind: "none", contentType: "application/json" },
  { name: "empty JSON body", kind: "json", contentType: "application/json", body: Buffer.alloc(0), core: true },
  { name: "text/plain", kind: "other", contentType: "text/plain", body: utf8('{"a":1}'), core: true },
  { name: "octet-stream", kind: "other", contentType: "application/octet-stream", body: Buffer.from([0, 1, 2, 255]) },
  { name: "text/html", kind: "other", contentType: "text/html; charset=utf-8", body: utf8("<h1>hi</h1>") },
  { name: "content type with a space", kind: "other", contentType: "application/ json", body: utf8("[]") },
  rawJson("content type in capitals, an array", "[]", "APPLICATION/JSON"),
  form("form, unknown fields", "zzUnknown=1&another=two", true),
  form("form, empty", ""),
  form("form, repeated fields", "a=1&a=2&provider=x&provider=y&scope=a&scope=b"),
  form("form, bad percent-encoding", "%zz=%E0%A4%A&x=%"),
  form("form, invalid UTF-8 bytes", Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x26, 0x62, 0x3d, 0xc3, 0x28])),
  form("form, control characters", "a=%00%07%1b&b=\u0001"),
  form("form, __proto__", "__proto__[admin]=1&constructor[prototype][x]=1"),
  form("form, 100 KB", `x=${KB100}`),
  form("form, 1 MB", `x=${MB1}`),
  { name: "multipart, unknown fields", kind: "form", contentType: "multipart/form-data; boundary=----fuzz7MA4YWxkTrZu0gW", body: multipart({ zzUnknown: "1", other: "x" }), core: true },
  { name: "multipart, wrong boundary", kind: "form", contentType: "multipart/form-data; boundary=nope", body: multipart({ a: "1" }) },
  { name: "multipart, no boundary", kind: "form", contentType: "multipart/form-data", body: multipart({ a: "1" }) },
  { name: "multipart, truncated", kind: "form", contentType: "multipart/form-data; boundary=----fuzz7MA4YWxkTrZu0gW", body: multipart({ a: "1" }).subarray(0, 40) },
  rawJson("invalid JSON", '{"a":', "application/json", true),
  rawJson("invalid JSON, trailing garbage", '{"a":1} x'),
  rawJson("JSON with comments", '{/* c */ "a": 1}'),
  json("JSON array", [], true),
  json("JSON array of objects", [{ a: 1 }]),
  json("JSON string", "hello", true),
  json("JSON number", 42),
  json("JSON null", null, true),
  json("JSON true", true),
  rawJson("JSON 1e999", "1e999"),
  rawJson("JSON array nested 10k deep", nestedArray(10_000)),
  rawJson("JSON array nested 5k deep (under the size limit)", nestedArray(5_000)),
  rawJson("JSON object nested 2k deep", nestedObject(2_000)),
  json("JSON unknown fields", { zzUnknown: 1, another: "two" }, true),
  rawJson("JSON __proto__", '{"__proto__":{"isAdmin":true,"role":"admin"}}', "application/json", true),
  json("JSON constructor.prototype", { constructor: { prototype: { isAdmin: true } } }),
  rawJson("JSON duplicate keys", '{"a":1,"a":2}'),
  json("JSON 100 KB string", { x: KB100 }),
  json("JSON 1 MB string", { x: MB1 }),
  json("JSON control characters", { x: "a\u0000b\u0007c\u001b\u007f\u0085" }),
  rawJson("JSON lone surrogate escape", '{"x":"\\ud800"}'),
  rawJson("JSON invalid UTF-8 bytes", Buffer.concat([utf8('{"x":"'), Buffer.from([0xff, 0xfe]), utf8('"}')])),
  rawJson("JSON surrogate as UTF-8 bytes (CESU)", Buffer.concat([utf8('{"x":"'), Buffer.from([0xed, 0xa0, 0x80]), utf8('"}')])),
  rawJson("JSON overlong UTF-8 encoding", Buffer.concat([utf8('{"x":"'), Buffer.from([0xc0, 0xaf]), utf8('"}')])),
  rawJson("JSON with a BOM, an array", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8("[]")])),
  rawJson("JSON as UTF-16", Buffer.from('{"x":1}', "utf16le"), "application/json; charset=utf-16"),
  rawJson("JSON as latin1", Buffer.from('{"x":"\u00e9"}', "latin1"), "application/json; charset=iso-8859-1"),
  rawJson("JSON, empty charset", "[]", "application/json; charset="),
  rawJson("JSON, odd parameters", "[]", 'application/json; charset="utf-8"; boundary=x; q=1'),
  rawJson("JSON, vendor type", "[]", "application/vnd.api+json"),
];

/** One field of the route's schemas set to a bad value each: reaches the schema's checks, not just the reader. */
const FIELD_VALUES: [string, unknown][] = [
  ["10 KB string", "x".repeat(10_000)],
  ["control characters", "a\u0000b\u0007\u001b"],
  ["lone surrogate", "\ud800"],
  ["empty string", ""],
  ["number", 1.5e300],
  ["array", [1, "two"]],
  ["object", { nested: { deeper: true } }],
  ["boolean", true],
];

function fieldCases(route: Route): BodyCase[] {
  const cases: BodyCase[] = [];
  for (const field of route.fields) {
    for (const [label, value] of FIELD_VALUES) {
      if (route.reads === "form") {
        if (typeof value !== "string") continue;
        const encoded = label === "lone surrogate" ? "%ED%A0%80" : encodeURIComponent(value);
        cases.push(form(`form field ${field}: ${label}`, `${field}=${encoded}`));
      } else {
        cases.push(json(`JSON field ${field}: ${label}`, { [field]: value }));
      }
    }
  }
  return cases;
}

type QueryCase = { name: string; query: string };

function queryCases(route: Route): QueryCase[] {
  const cases: QueryCase[] = [
    { name: "unknown parameter", query: "?zzUnknown=1" },
    { name: "unknown parameter repeated", query: "?zz=1&zz=2&zz=3" },
    { name: "bare percent", query: "?%" },
    { name: "bad percent-encoding", query: "?a=%E0%A4%A&%zz=1" },
    { name: "__proto__", query: "?__proto__[admin]=1&constructor[prototype][x]=1" },
    { name: "1,000 parameters", query: `?${Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join("&")}` },
    { name: "8 KB parameter", query: `?x=${"a".repeat(8_000)}` },
    { name: "20 KB query", query: `?x=${"a".repeat(20_000)}` },
  ];
  for (const p of route.params) {
    cases.push(
      { name: `${p} repeated`, query: `?${p}=a&${p}=b` },
      { name: `${p} empty`, query: `?${p}=` },
      { name: `${p} 4 KB`, query: `?${p}=${"a".repeat(4_000)}` },
      { name: `${p} control characters`, query: `?${p}=%00%07%1b` },
      { name: `${p} invalid UTF-8`, query: `?${p}=%ff%fe` },
      { name: `${p} surrogate bytes`, query: `?${p}=%ED%A0%80` },
      { name: `${p} negative`, query: `?${p}=-1` },
      { name: `${p} huge number`, query: `?${p}=1e309` },
      { name: `${p} as array`, query: `?${p}[]=1&${p}[0]=2` },
      { name: `${p} absolute URL`, query: `?${p}=${encodeURIComponent("https://evil.example/x")}` },
    );
  }
  return cases;
}

/** Values for a dynamic segment: a valid uuid (nobody's), a malformed value and an over-long one. */
function segmentVariants(route: Route): { name: string; path: string; full: boolean }[] {
  const fill = (value: string) =>
    route.segments.map((s) => (s.kind === "static" ? s.value : s.kind === "dynamic" ? encodeURIComponent(value) : `${encodeURIComponent(value)}/x`)).join("/");
  if (!route.segments.some((s) => s.kind !== "static")) return [{ name: "", path: `/${fill("")}`, full: true }];
  return [
    { name: " [uuid]", path: `/${fill(randomUUID())}`, full: true },
    { name: " [malformed]", path: `/${fill("not-a-uuid'\"<>\u0000\u00e9")}`, full: false },
    { name: " [over-long]", path: `/${fill("f".repeat(4_000))}`, full: false },
  ];
}

type FuzzRequest = {
  route: Route;
  label: string;
  method: Method;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  kind: BodyKind;
  exported: boolean;
  /** A server action call: held to "never a 5xx" only, since an action answers its result, errors included, with a 200. */
  action?: boolean;
};

/**
 * The server actions of the build (`.next/server/server-reference-manifest.json`, which the e2e run's build
 * writes): each action id with the page it is called on, plus a made-up id on two pages. Next calls an action
 * with a POST to the page carrying its id in `Next-Action`.
 */
function actionTargets(): { id: string; page: string }[] {
  const manifest = JSON.parse(readFileSync(join(".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node?: Record<string, { workers?: Record<string, unknown> }>;
  };
  const targets = [
    { id: "7f".padEnd(42, "0"), page: "/" },
    { id: "7f".padEnd(42, "0"), page: "/account" },
  ];
  for (const [id, entry] of Object.entries(manifest.node ?? {})) {
    for (const worker of Object.keys(entry.workers ?? {})) {
      const parts = worker.replace(/^app\//, "").replace(/\/?page$/, "").split("/");
      const path = parts.filter((p) => p && !/^\(.*\)$/.test(p) && !p.startsWith("@")).map((p) => (/^\[/.test(p) ? randomUUID() : p));
      targets.push({ id, page: `/${path.join("/")}` });
    }
  }
  return targets;
}

function actionRequests(baseHeaders: Record<string, string>): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const cases: BodyCase[] = [
    ...BODY_CASES.filter((c) => c.core),
    { name: "arguments, wrong shape", kind: "other", contentType: "text/plain;charset=UTF-8", body: utf8('{"a":["$@0"]}') },
    { name: "arguments, garbage references", kind: "other", contentType: "text/plain;charset=UTF-8", body: utf8('["$K1","$Q2","$@99",{"__proto__":{"x":1}}]') },
    { name: "arguments, 1 MB", kind: "other", contentType: "text/plain;charset=UTF-8", body: utf8(JSON.stringify([MB1])) },
  ];
  for (const target of actionTargets()) {
    const route: Route = { file: "server action", pattern: `${target.page} (action ${target.id.slice(0, 10)}…)`, segments: [], methods: ["POST"], reads: "none", fields: [], params: [] };
    for (const c of cases) {
      const headers = { ...baseHeaders, "next-action": target.id, accept: "text/x-component", ...(c.contentType !== undefined ? { "content-type": c.contentType } : {}) };
      out.push({ route, label: `POST ${route.pattern}: ${c.name}`, method: "POST", url: `${APP_ORIGIN}${target.page}`, headers, body: c.body, kind: c.kind, exported: true, action: true });
    }
  }
  return out;
}

function buildRequests(routes: Route[], baseHeaders: Record<string, string>): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const route of routes) {
    for (const variant of segmentVariants(route)) {
      const url = `${APP_ORIGIN}${variant.path}`;
      for (const method of route.methods) {
        if (method === "OPTIONS") continue;
        if (method === "GET" || method === "HEAD") {
          out.push({ route, label: `${method} ${route.pattern}${variant.name}: plain`, method, url, headers: { ...baseHeaders }, kind: "none", exported: true });
          if (!variant.full) continue;
          for (const q of queryCases(route)) {
            out.push({ route, label: `${method} ${route.pattern}${variant.name}: query ${q.name}`, method, url: url + q.query, headers: { ...baseHeaders }, kind: "none", exported: true });
          }
          continue;
        }
        const cases = variant.full ? [...BODY_CASES, ...fieldCases(route)] : BODY_CASES.filter((c) => c.core);
        for (const c of cases) {
          const headers = { ...baseHeaders, ...(c.contentType !== undefined ? { "content-type": c.contentType } : {}) };
          out.push({ route, label: `${method} ${route.pattern}${variant.name}: ${c.name}`, method, url, headers, body: c.body, kind: c.kind, exported: true });
        }
        if (variant.full) {
          out.push({ route, label: `${method} ${route.pattern}${variant.name}: JSON body with a query string`, method, url: `${url}?zz=1&zz=2&x=${"a".repeat(4_000)}`, headers: { ...baseHeaders, "content-type": "application/json" }, body: utf8("[]"), kind: "json", exported: true });
        }
      }
      // Methods the route does not export: Next answers 405, never a 5xx.
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as Method[]) {
        if (route.methods.includes(method) || (method === "GET" && route.methods.includes("HEAD"))) continue;
        const body = method === "GET" ? undefined : utf8("[]");
        const headers = { ...baseHeaders, ...(body ? { "content-type": "application/json" } : {}) };
        out.push({ route, label: `${method} ${route.pattern}${variant.name}: not exported`, method, url, headers, body, kind: body ? "json" : "none", exported: false });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Running it

type Persona = { name: string; key: string; signedIn: boolean; headers: Record<string, string> };

/** Whether the response deletes the session cookie (@supabase/ssr's sb-…-auth-token, or a chunk of it). */
function clearsSessionCookie(res: APIResponse): boolean {
  return res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .some((h) => /^sb-[^=]*-auth-token[^=]*=/.test(h.value) && (/max-age=0\b/i.test(h.value) || /expires=thu, 01 jan 1970/i.test(h.value)));
}

async function send(ctx: APIRequestContext, r: FuzzRequest): Promise<APIResponse | Error> {
  try {
    return await ctx.fetch(r.url, {
      method: r.method,
      headers: r.headers,
      ...(r.body !== undefined ? { data: r.body } : {}),
      maxRedirects: 0,
      timeout: REQUEST_TIMEOUT_MS,
      failOnStatusCode: false,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Why the answer is wrong, or null. */
async function judge(r: FuzzRequest, res: APIResponse | Error, persona: Persona): Promise<string | null> {
  if (res instanceof Error) {
    return /timed? ?out|Timeout/i.test(res.message) ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : `request failed: ${res.message.split("\n")[0]}`;
  }
  const status = res.status();
  const snippet = async () => (r.method === "HEAD" ? "" : ` ${(await res.text().catch(() => "")).slice(0, 200)}`);
  if (status >= 500) return `${status}${await snippet()}`;
  if (r.action) return null;
  if (!STATE_CHANGING.has(r.method) || !r.exported) {
    if (!r.exported && (status < 400 || status >= 500)) return `${status} for a method the route does not export`;
    return null;
  }
  if (status >= 400) return null;
  const exception = FORM_REDIRECTS[r.route.pattern];
  const location = res.headers().location;
  if (exception && r.kind === "form" && status === 303 && location && exception.ok(new URL(location, APP_ORIGIN))) return null;
  return `${status} (${persona.name}) for garbage, not a 4xx${location ? ` → ${location}` : ""}${await snippet()}`;
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

type Failure = string;

async function runBattery(ctx: APIRequestContext, persona: Persona, throwaway?: () => Promise<APIRequestContext>): Promise<{ failures: Failure[]; sent: number }> {
  const requests = [...buildRequests(ROUTES, persona.headers), ...actionRequests(persona.headers)];
  const failures: Failure[] = [];
  const record = async (r: FuzzRequest, res: APIResponse | Error) => {
    const why = await judge(r, res, persona);
    if (why) failures.push(`${r.label} → ${why}`);
    else if (persona.signedIn && !(res instanceof Error) && clearsSessionCookie(res)) failures.push(`${r.label} → ${res.status()} signed the user out (cleared the session cookie)`);
  };
  const ending = (r: FuzzRequest) => persona.signedIn && (SESSION_ENDING[r.route.pattern]?.personas.includes(persona.key) ?? false);
  await pool(
    requests.filter((r) => !ending(r)),
    CONCURRENCY,
    async (r) => record(r, await send(ctx, r)),
  );
  // One at a time through the throwaway session, signed in again after each request that ended it.
  for (const r of requests.filter(ending)) {
    const other = await (throwaway as () => Promise<APIRequestContext>)();
    const res = await send(other, r);
    const why = await judge(r, res, persona);
    if (why) failures.push(`${r.label} → ${why}`);
  }
  return { failures, sent: requests.length };
}

// ---------------------------------------------------------------------------------------------------------
// Before and after: what the app shows the user, and their rows in the database

/** The user's own data as the app serves it; volatile parts (none expected within a run) are kept. */
async function appView(ctx: APIRequestContext, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  const reads = ["/api/me", "/api/account/profile", "/api/account/sessions", "/api/account/identities", "/api/account/mfa", "/api/account/activity"];
  for (const path of reads.filter((p) => ROUTES.some((r) => r.pattern === p && r.methods.includes("GET")))) {
    const res = await ctx.get(`${APP_ORIGIN}${path}`, { headers, maxRedirects: 0, failOnStatusCode: false });
    view[path] = { status: res.status(), body: await res.json().catch(() => null) };
  }
  return view;
}

async function dbView(userId: string): Promise<unknown> {
  const [row] = await sql<{ view: unknown }>(
    `select jsonb_build_object(
       'user', (select to_jsonb(u) - array['updated_at','last_sign_in_at'] from auth.users u where u.id = $1::uuid),
       'identities', (select coalesce(jsonb_agg(to_jsonb(i) - array['updated_at','last_sign_in_at'] order by i.id), '[]') from auth.identities i where i.user_id = $1::uuid),
       'sessions', (select coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'aal', s.aal, 'factor_id', s.factor_id, 'not_after', s.not_after) order by s.id), '[]') from auth.sessions s where s.user_id = $1::uuid),
       'refresh_tokens', (select jsonb_build_object('all', count(*), 'revoked', count(*) filter (where revoked)) from auth.refresh_tokens t where t.user_id = $1::text),
       'factors', (select coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'status', f.status, 'name', f.friendly_name) order by f.id), '[]') from auth.mfa_factors f where f.user_id = $1::uuid),
       'flow_states', (select count(*) from auth.flow_state fs where fs.user_id = $1::uuid or fs.linking_target_id = $1::uuid),
       'auth_log', (select count(*) from auth.audit_log_entries e where e.payload->>'actor_id' = $1::text),
       'profile', (select to_jsonb(p) from public.profiles p where p.id = $1::uuid),
       'roles', (select coalesce(jsonb_agg(r.role order by r.role), '[]') from public.user_roles r where r.user_id = $1::uuid),
       'audit', (select count(*) from public.audit_events a where a.actor_id = $1::uuid or a.target_user_id = $1::uuid),
       'exports', (select count(*) from public.data_exports x where x.user_id = $1::uuid),
       'deletions', (select count(*) from private.account_deletion_requests d where d.user_id = $1::uuid)
     ) as view`,
    [userId],
  );
  return row?.view;
}

function grantRole(email: string, role: "user" | "admin"): void {
  execFileSync(process.execPath, ["scripts/grant-role.ts", email, role], { stdio: "pipe" });
}

// ---------------------------------------------------------------------------------------------------------

test.describe.configure({ timeout: 150_000 });

test("discovery finds every route module, the methods it exports and how it reads its body", () => {
  const byPattern = new Map(ROUTES.map((r) => [r.pattern, r]));
  expect(ROUTES.length).toBeGreaterThanOrEqual(15);
  for (const route of ROUTES) expect(route.methods.length, `${route.file} exports no HTTP method this test recognises`).toBeGreaterThan(0);
  expect(byPattern.get("/api/me")?.methods).toEqual(["GET"]);
  expect(byPattern.get("/api/account/profile")).toMatchObject({ methods: ["GET", "POST"], reads: "json" });
  expect(byPattern.get("/api/account/profile")?.fields).toContain("displayName");
  expect(byPattern.get("/api/account/activity")?.params).toEqual(expect.arrayContaining(["cursor", "limit"]));
  // The two form routes, and the exceptions this test makes for them, must still match the code.
  expect(byPattern.get("/auth/sign-in")).toMatchObject({ methods: ["POST"], reads: "form" });
  expect(byPattern.get("/auth/sign-out")).toMatchObject({ methods: ["POST"], reads: "form" });
  for (const pattern of [...Object.keys(FORM_REDIRECTS), ...Object.keys(SESSION_ENDING)]) expect(byPattern.has(pattern), pattern).toBe(true);
  // The parser itself, on the export forms Next accepts.
  expect(exportedMethods("export const POST = withAuth(x);\nexport async function GET(req) {}\nexport function DELETE() {}")).toEqual(["GET", "POST", "DELETE"]);
  expect(exportedMethods("const h = () => 1;\nexport { h as PUT, h as PATCH, other }")).toEqual(["PUT", "PATCH"]);
  expect(parseSegments(join("app", "(group)", "api", "admin", "users", "[id]", "route.ts"))).toEqual([
    { kind: "static", value: "api" },
    { kind: "static", value: "admin" },
    { kind: "static", value: "users" },
    { kind: "dynamic", name: "id" },
  ]);
});

test("signed out, no cookies and no Origin: never a 5xx, every state change refused", async ({ playwright }) => {
  const ctx = await playwright.request.newContext();
  try {
    const { failures, sent } = await runBattery(ctx, { name: "signed out", key: "signed-out", signedIn: false, headers: {} });
    expect(sent).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  } finally {
    await ctx.dispose();
  }
});

test("signed out with same-origin headers: never a 5xx, every state change refused", async ({ playwright }) => {
  const ctx = await playwright.request.newContext();
  try {
    const { failures } = await runBattery(ctx, { name: "signed out, same origin", key: "signed-out", signedIn: false, headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin" } });
    expect(failures).toEqual([]);
  } finally {
    await ctx.dispose();
  }
});

type SignedInPersona = {
  title: string;
  key: string;
  role: "user" | "admin";
  /** After the first sign-in: what makes the session this persona's. Returns the context the battery uses. */
  setup: (ctx: APIRequestContext, who: { email: string; name: string }, newContext: () => Promise<APIRequestContext>) => Promise<APIRequestContext>;
};

const SIGNED_IN: SignedInPersona[] = [
  // A fresh sign-in: step-up by a recent sign-in passes, so the sensitive routes read their bodies too.
  { title: "a plain user", key: "user", role: "user", setup: async (ctx) => ctx },
  // An admin with an authenticator (aal2): the admin writes, which need aal2, read their bodies too.
  {
    title: "an admin with two-factor (aal2)",
    key: "admin",
    role: "admin",
    setup: async (ctx, who) => {
      await addAuthenticator(ctx);
      grantRole(who.email, "admin");
      return ctx;
    },
  },
  // A second sign-in of a user with a factor, before the code: the guard holds it at the prompt.
  {
    title: "a user who still owes the second-factor code",
    key: "mfa-pending",
    role: "user",
    setup: async (ctx, who, newContext) => {
      await addAuthenticator(ctx);
      const pending = await newContext();
      const landed = await signInByRequest(pending, who);
      expect(new URL(landed.url()).pathname).toBe("/auth/mfa");
      return pending;
    },
  },
];

async function addAuthenticator(ctx: APIRequestContext): Promise<void> {
  const headers = { origin: APP_ORIGIN };
  const enrol = await ctx.post(`${APP_ORIGIN}/api/account/mfa/enroll`, { headers, data: { name: "Fuzz phone" } });
  expect(enrol.status(), await enrol.text()).toBe(200);
  const { enrolment } = (await enrol.json()) as { enrolment: { factorId: string; secret: string } };
  const code = new TOTP({ secret: enrolment.secret, digits: 6, period: 30, algorithm: "SHA1" }).generate();
  const verified = await ctx.post(`${APP_ORIGIN}/api/account/mfa/verify`, { headers, data: { factorId: enrolment.factorId, code } });
  expect(verified.status(), await verified.text()).toBe(200);
}

for (const persona of SIGNED_IN) {
  test(`signed in as ${persona.title} with the app's Origin: never a 5xx, a 4xx for every garbage body, nothing changed`, async ({ playwright }) => {
    const headers = { origin: APP_ORIGIN };
    const who = { email: uniqueEmail(`fuzz-${persona.key}`), name: `Fuzz ${persona.key}` };
    const spare = { email: uniqueEmail(`fuzz-${persona.key}-spare`), name: `Spare ${persona.key}` };
    const contexts: APIRequestContext[] = [];
    const newContext = async () => {
      const c = await playwright.request.newContext();
      contexts.push(c);
      return c;
    };
    // The throwaway session for the routes that may end it (SESSION_ENDING): another user of the same kind,
    // signed in again once a request has ended it or cleared its cookies.
    let spareCtx: APIRequestContext | null = null;
    let spareReady = false;
    const throwaway = async () => {
      if (spareCtx && (await spareCtx.get(`${APP_ORIGIN}/api/me`, { failOnStatusCode: false })).status() !== 401) return spareCtx;
      spareCtx = await newContext();
      await signInByRequest(spareCtx, spare);
      if (!spareReady) {
        spareReady = true;
        // Signing out asks nothing of the session's level: the admin's spare is an aal1 admin. The pending
        // persona's spare has a factor, so each of its sign-ins owes the code too.
        if (persona.role === "admin") grantRole(spare.email, "admin");
        if (persona.key === "mfa-pending") spareCtx = await persona.setup(spareCtx, spare, newContext);
      }
      return spareCtx;
    };
    try {
      const first = await newContext();
      await signInByRequest(first, who);
      const userId = await userIdByEmail(who.email);
      const ctx = await persona.setup(first, who, newContext);
      if (persona.key !== "mfa-pending") {
        const me = await ctx.get(`${APP_ORIGIN}/api/me`);
        expect(((await me.json()) as { user: { role: string } }).user.role).toBe(persona.role);
      }
      const before = { app: await appView(ctx, headers), db: await dbView(userId) };
      const sessions = (before.app["/api/account/sessions"] as { status: number }).status;
      expect(sessions).toBe(persona.key === "mfa-pending" ? 403 : 200);

      const { failures } = await runBattery(ctx, { name: `signed in as ${persona.key}`, key: persona.key, signedIn: true, headers }, throwaway);

      const after = { app: await appView(ctx, headers), db: await dbView(userId) };
      expect.soft(after, "the user's profile, sessions and rows after the battery").toEqual(before);
      expect(failures).toEqual([]);
    } finally {
      for (const c of contexts) await c.dispose();
    }
  });
}
