import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { AuthError, errorBody, requestedApiVersion } from "./errors.ts";
import { goJsonSyntaxError } from "./go-json-syntax.ts";

export type Reply = {
  status: number;
  headers?: Record<string, string>;
  /** Objects and arrays are sent as JSON; strings as they are; null or undefined as an empty body. */
  body?: unknown;
};

export type Ctx = {
  req: IncomingMessage;
  method: string;
  /** Path below the base path, e.g. `/token`. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  apiVersion: string | null;
  ip: string;
  header(name: string): string | undefined;
  /** The raw body (read once, cached). */
  text(): Promise<string>;
  /** An `application/x-www-form-urlencoded` body. */
  form(): Promise<URLSearchParams>;
};

export type Handler = (ctx: Ctx) => Promise<Reply>;

export type Route = {
  method: string | "*";
  pattern: string;
  handler: Handler;
  /** Browser navigations and public documents skip the gateway's apikey check. */
  open?: boolean;
};

type CompiledRoute = Route & { regex: RegExp; names: string[] };

export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.pattern
      .split("/")
      .map((part) => {
        if (part.startsWith(":")) {
          names.push(part.slice(1));
          return "([^/]+)";
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    return { ...route, regex: new RegExp(`^${source}/?$`), names };
  });
}

export type Match = { route: CompiledRoute; params: Record<string, string> } | "method_not_allowed" | null;

export function matchRoute(routes: CompiledRoute[], method: string, path: string): Match {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== "*" && route.method !== method) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { route, params };
  }
  return pathMatched ? "method_not_allowed" : null;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new AuthError(413, "request_too_large", "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Go's encoding/json wording for the first syntax error, which Supabase Auth puts in its `bad_json` message.
 * Callers pass text that JSON.parse rejected, which Go's scanner rejects too.
 */
export function goJsonError(text: string): string {
  return goJsonSyntaxError(text) ?? "unexpected end of JSON input";
}

/**
 * The caller's address as Supabase Auth reads it: the first non-empty X-Forwarded-For entry (the hosted
 * gateway and the app's server calls set it), else the connection's address. An entry that is not an IP
 * address is passed over, since the sessions' `ip` column holds `inet`.
 */
export function clientIp(forwardedFor: string | string[] | undefined, remote: string): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const first = header.split(",").map((p) => p.trim()).find((p) => p !== "");
  if (first !== undefined && isIP(first) !== 0) return first;
  return remote.startsWith("::ffff:") ? remote.slice(7) : remote;
}

export function createCtx(req: IncomingMessage, url: URL, path: string, params: Record<string, string>): Ctx {
  let cachedText: Promise<string> | null = null;
  const text = () => (cachedText ??= readBody(req));
  const remote = req.socket.remoteAddress ?? "";
  return {
    req,
    method: req.method ?? "GET",
    path,
    query: url.searchParams,
    params,
    apiVersion: requestedApiVersion(req.headers["x-supabase-api-version"] as string | undefined),
    ip: clientIp(req.headers["x-forwarded-for"], remote),
    header: (name) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    text,
    async form() {
      return new URLSearchParams(await text());
    },
  };
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined && reply.body !== null) {
    if (typeof reply.body === "string") {
      payload = reply.body;
    } else {
      payload = JSON.stringify(reply.body);
      headers["content-type"] ??= "application/json";
    }
  }
  if (payload !== undefined) headers["content-length"] = String(Buffer.byteLength(payload));
  else headers["content-length"] = "0";
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function errorReply(error: AuthError, apiVersion: string | null): Reply {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (error.codeHeader) headers["x-sb-error-code"] = error.code;
  if (apiVersion) headers["x-supabase-api-version"] = apiVersion;
  return { status: error.status, headers, body: errorBody(error, apiVersion) };
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers: { "content-type": "application/json", ...headers },
});

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c] ?? c);
}

/**
 * A redirect as Go's http.Redirect writes it: GET and HEAD get a small HTML body with the link; other methods
 * (the form_post callback) get none.
 */
export function redirect(method: string, location: string, status = 302, extraBody = ""): Reply {
  const text = status === 303 ? "See Other" : "Found";
  if (method !== "GET" && method !== "HEAD") return { status, headers: { location } };
  return {
    status,
    headers: { location, "content-type": "text/html; charset=utf-8" },
    body: `<a href="${htmlEscape(location)}">${text}</a>.\n\n${extraBody}`,
  };
}
