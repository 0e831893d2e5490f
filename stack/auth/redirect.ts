import { isIP } from "node:net";

/**
 * Redirect targets the way Supabase Auth (Go) validates and builds them. Go's `net/url` differs from the
 * WHATWG URL parser (no path normalisation, no trailing `/` added to a bare origin, sorted query encoding),
 * and those differences are visible in the `Location` headers the transcripts record, so this module never
 * round-trips a redirect target through `new URL()`.
 */

// ---------------------------------------------------------------------------------------------------------
// Query strings (Go's url.Values)

/** An ordered multi-map, like Go's `url.Values`. */
export type QueryValues = Map<string, string[]>;

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` is percent-encoded (upper case), space is `+`. */
export function queryEscape(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Go's `url.QueryUnescape`; null where Go reports an invalid escape. */
export function queryUnescape(value: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === "%") {
      const hex = value.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (ch === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(ch, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * Go's `url.ParseQuery`: pairs containing `;` or a bad escape are dropped and make `ok` false (callers such
 * as `URL.Query()` ignore it, `Request.ParseForm` does not).
 */
export function parseQuery(raw: string): { values: QueryValues; ok: boolean } {
  const values: QueryValues = new Map();
  let ok = true;
  for (const part of raw.split("&")) {
    if (part.includes(";")) {
      ok = false;
      continue;
    }
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = queryUnescape(eq === -1 ? part : part.slice(0, eq));
    const value = queryUnescape(eq === -1 ? "" : part.slice(eq + 1));
    if (key === null || value === null) {
      ok = false;
      continue;
    }
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return { values, ok };
}

/** Go's `url.Values.Encode`: keys sorted, values in order. */
export function encodeQuery(values: QueryValues): string {
  return [...values.keys()]
    .sort()
    .flatMap((key) => (values.get(key) ?? []).map((v) => `${queryEscape(key)}=${queryEscape(v)}`))
    .join("&");
}

/** The first value of a key, `""` when absent (Go's `Values.Get`). */
export function firstValue(values: QueryValues, key: string): string {
  return values.get(key)?.[0] ?? "";
}

// ---------------------------------------------------------------------------------------------------------
// URL parsing (the parts of Go's url.Parse that decide validity, host and port)

export type GoUrl = { scheme: string; host: string; hostname: string; port: string };

const SCHEME_CHAR = /[A-Za-z0-9+\-.]/;

function hasCtlByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function validOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

/** Percent-escapes must be complete; in hosts they may only encode non-ASCII bytes (or `%25`). */
function validEscapes(s: string, host: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return false;
      if (host && Number.parseInt(hex, 16) < 0x80 && hex !== "25") return false;
      i += 2;
    } else if (host && s.charCodeAt(i) < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(ch)) {
      return false;
    }
  }
  return true;
}

const USERINFO_CHAR = /[A-Za-z0-9\-._:~!$&'()*+,;=%@]/;

function parseHost(host: string): string | null {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0 || !validOptionalPort(host.slice(close + 1))) return null;
  } else {
    const colon = host.lastIndexOf(":");
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) return null;
  }
  return validEscapes(host, true) ? host : null;
}

function splitHostPort(hostPort: string): { hostname: string; port: string } {
  let hostname = hostPort;
  let port = "";
  const colon = hostPort.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(hostPort.slice(colon))) {
    hostname = hostPort.slice(0, colon);
    port = hostPort.slice(colon + 1);
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

/** Go's `url.Parse` reduced to what redirect validation reads; null where Go returns an error. */
export function parseGoUrl(raw: string): GoUrl | null {
  const hash = raw.indexOf("#");
  const withoutFragment = hash === -1 ? raw : raw.slice(0, hash);
  if (hash !== -1 && !validEscapes(raw.slice(hash + 1), false)) return null;
  if (hasCtlByte(withoutFragment)) return null;

  let scheme = "";
  let rest = withoutFragment;
  for (let i = 0; i < withoutFragment.length; i++) {
    const ch = withoutFragment[i] as string;
    if (/[A-Za-z]/.test(ch)) continue;
    if (ch === ":") {
      if (i === 0) return null;
      scheme = withoutFragment.slice(0, i).toLowerCase();
      rest = withoutFragment.slice(i + 1);
      break;
    }
    if (!SCHEME_CHAR.test(ch) || i === 0) break;
  }

  const question = rest.indexOf("?");
  if (question !== -1) rest = rest.slice(0, question);

  if (!rest.startsWith("/")) {
    if (scheme !== "") return { scheme, host: "", hostname: "", port: "" };
    const slash = rest.indexOf("/");
    if ((slash === -1 ? rest : rest.slice(0, slash)).includes(":")) return null;
  }

  let host = "";
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf("/");
    const authority = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
    rest = slash === -1 ? "" : afterSlashes.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at !== -1 && ![...authority.slice(0, at)].every((c) => USERINFO_CHAR.test(c) || c.charCodeAt(0) >= 0x80)) {
      return null;
    }
    const parsed = parseHost(at === -1 ? authority : authority.slice(at + 1));
    if (parsed === null) return null;
    host = parsed;
  }
  if (!validEscapes(rest, false)) return null;
  const { hostname, port } = splitHostPort(host);
  return { scheme, host, hostname, port };
}

// ---------------------------------------------------------------------------------------------------------
// The allow list (gobwas/glob with `.` and `/` as separators)

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|\/]/g;

function compileGlobSource(pattern: string, pos: { i: number }, inBraces: boolean): string | null {
  let out = "";
  while (pos.i < pattern.length) {
    const ch = pattern[pos.i] as string;
    if (inBraces && (ch === "," || ch === "}")) return out;
    pos.i++;
    if (ch === "\\") {
      const next = pattern[pos.i];
      if (next === undefined) return null;
      out += next.replace(REGEX_SPECIAL, "\\$&");
      pos.i++;
    } else if (ch === "*") {
      if (pattern[pos.i] === "*") {
        while (pattern[pos.i] === "*") pos.i++;
        out += "[\\s\\S]*";
      } else {
        out += "[^./]*";
      }
    } else if (ch === "?") {
      out += "[^./]";
    } else if (ch === "[") {
      const close = pattern.indexOf("]", pos.i);
      if (close === -1) return null;
      let body = pattern.slice(pos.i, close);
      pos.i = close + 1;
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      if (body === "") return null;
      const escaped = body.replace(/[\\\]^]/g, "\\$&");
      out += `[${negate ? "^" : ""}${escaped}]`;
    } else if (ch === "{") {
      const alternatives: string[] = [];
      for (;;) {
        const alt = compileGlobSource(pattern, pos, true);
        if (alt === null) return null;
        alternatives.push(alt);
        const delim = pattern[pos.i];
        pos.i++;
        if (delim === "}") break;
        if (delim !== ",") return null;
      }
      out += `(?:${alternatives.join("|")})`;
    } else {
      out += ch.replace(REGEX_SPECIAL, "\\$&");
    }
  }
  return inBraces ? null : out;
}

/** A redirect allow-list entry as Supabase Auth compiles it; null for a pattern gobwas would reject. */
export function compileGlob(pattern: string): RegExp | null {
  const source = compileGlobSource(pattern, { i: 0 }, false);
  return source === null ? null : new RegExp(`^${source}$`, "u");
}

// ---------------------------------------------------------------------------------------------------------
// Validation

export type RedirectConfig = { siteUrl: string; additionalRedirectUrls: string[] };

const LOCALHOST_NAMES = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"]);

function isLocalhost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOCALHOST_NAMES.has(h) || h.endsWith(".localhost");
}

function isLoopbackIp(hostname: string): boolean | null {
  const kind = isIP(hostname);
  if (kind === 4) return hostname.startsWith("127.");
  if (kind === 6 && !hostname.includes("%")) {
    // The WHATWG serialiser compresses IPv6 (and rewrites IPv4-mapped addresses to hex).
    const normalized = new URL(`http://[${hostname}]/`).hostname.slice(1, -1);
    return normalized === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(normalized);
  }
  return null;
}

const REGULAR_HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

const globCache = new Map<string, RegExp | null>();

function allowListMatches(patterns: string[], target: string): boolean {
  const withoutFragment = target.split("#")[0] as string;
  return patterns.some((pattern) => {
    let compiled = globCache.get(pattern);
    if (compiled === undefined) {
      compiled = compileGlob(pattern);
      globCache.set(pattern, compiled);
    }
    return compiled !== null && compiled.test(withoutFragment);
  });
}

/**
 * Supabase Auth's redirect check: the site's own scheme and host (any port for a loopback site), any
 * loopback IP literal on any port and path, or a match in the allow list. IP addresses that are not
 * loopback, decimal IPs and unusual http(s) host names are refused before the allow list is consulted.
 */
export function isRedirectUrlValid(config: RedirectConfig, target: string): boolean {
  if (target === "") return false;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  const base = parseGoUrl(config.siteUrl);
  if (!base) return false;
  const ref = parseGoUrl(target);
  if (!ref) {
    const lower = target.toLowerCase();
    if (lower.startsWith("http:") || lower.startsWith("https:")) return false;
  } else {
    if (
      base.hostname === ref.hostname &&
      base.scheme === ref.scheme &&
      (base.port === ref.port || isLocalhost(ref.hostname))
    ) {
      return true;
    }
    const isHttp = ref.scheme === "http" || ref.scheme === "https";
    if (/^[0-9]+$/.test(ref.hostname)) return false;
    const loopback = isLoopbackIp(ref.hostname);
    if (loopback !== null) return loopback;
    if (isHttp && !REGULAR_HOSTNAME.test(ref.hostname)) return false;
  }
  return allowListMatches(config.additionalRedirectUrls, target);
}

/** Where a flow returns to: a valid `redirect_to`, else a valid Referer, else the site URL. */
export function resolveReferrer(config: RedirectConfig, redirectTo: string, referer: string): string {
  if (isRedirectUrlValid(config, redirectTo)) return redirectTo;
  if (isRedirectUrlValid(config, referer)) return referer;
  return config.siteUrl;
}

// ---------------------------------------------------------------------------------------------------------
// Building redirect locations

type UrlParts = { base: string; query: string; fragment: string | null };

function splitUrl(url: string): UrlParts {
  const hash = url.indexOf("#");
  const fragment = hash === -1 ? null : url.slice(hash + 1);
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const question = beforeHash.indexOf("?");
  let base = question === -1 ? beforeHash : beforeHash.slice(0, question);
  const query = question === -1 ? "" : beforeHash.slice(question + 1);
  const scheme = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(base);
  if (scheme) base = (scheme[1] as string).toLowerCase() + base.slice((scheme[1] as string).length);
  return { base, query, fragment };
}

/** Go's http.Redirect writes non-ASCII bytes of a Location percent-encoded. */
export function hexEscapeNonAscii(url: string): string {
  let out = "";
  for (const ch of url) {
    if (ch.charCodeAt(0) < 0x80) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/**
 * Sets query parameters on a redirect target. The existing query is parsed and re-encoded with the keys
 * in alphabetical order (so `?next=/x` becomes `?code=…&next=%2Fx`); the fragment is kept.
 */
export function withQueryParams(url: string, params: Record<string, string>): string {
  const parts = splitUrl(url);
  const { values } = parseQuery(parts.query);
  for (const [key, value] of Object.entries(params)) values.set(key, [value]);
  const fragment = parts.fragment === null ? "" : `#${parts.fragment}`;
  return `${parts.base}?${encodeQuery(values)}${fragment}`;
}

/**
 * The implicit flow's success redirect: the token parameters, with `sb=` marking the redirect as Supabase
 * Auth's, encoded like a query (keys sorted) and appended after a `#`. The target is used as it is: its
 * query is not re-encoded, and a fragment it already has is not merged, so `…#top` becomes
 * `…#top#access_token=…` exactly as Supabase Auth writes it (clients reading `location.hash` then see no
 * `access_token`; a redirect target for the implicit flow should not carry a fragment).
 */
export function withTokenFragment(url: string, params: Record<string, string>): string {
  const values: QueryValues = new Map(Object.entries(params).map(([key, value]) => [key, [value]]));
  values.set("sb", [""]);
  return `${url}#${encodeQuery(values)}`;
}

export type RedirectError = { error: string; description: string; code?: string };

/**
 * An OAuth error on the way back to the app: `error`, `error_description` (kept even when empty) and
 * `error_code` (only for Supabase's own errors) in the query, and the non-empty ones again in the fragment
 * with `sb=`. The fragment is the encoded form escaped once more (`%3A` becomes `%253A`), as Go's URL
 * serialisation does to a fragment that already holds percent-escapes.
 */
export function withErrorParams(url: string, err: RedirectError): string {
  const parts = splitUrl(url);
  const { values } = parseQuery(parts.query);
  values.set("error", [err.error]);
  values.set("error_description", [err.description]);
  if (err.code !== undefined) values.set("error_code", [err.code]);
  const fragmentValues: QueryValues = new Map();
  if (err.error !== "") fragmentValues.set("error", [err.error]);
  if (err.description !== "") fragmentValues.set("error_description", [err.description]);
  if (err.code) fragmentValues.set("error_code", [err.code]);
  fragmentValues.set("sb", [""]);
  const fragment = encodeQuery(fragmentValues).replaceAll("%", "%25");
  return `${parts.base}?${encodeQuery(values)}#${fragment}`;
}

/** HTTP statuses that have an OAuth `error` name; any other status is reported as `server_error`. */
const OAUTH_ERRORS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized_client",
  403: "access_denied",
  500: "server_error",
  503: "temporarily_unavailable",
};

/** The OAuth `error` name Supabase Auth reports for one of its own errors. */
export function oauthErrorName(status: number, code: string): string {
  if (code === "signup_disabled" || code === "user_banned" || code === "provider_email_needs_verification") {
    return "access_denied";
  }
  return OAUTH_ERRORS[status] ?? "server_error";
}
