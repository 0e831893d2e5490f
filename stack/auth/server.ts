import { createServer, type Server } from "node:http";
import postgres from "postgres";
import type { App } from "./app.ts";
import type { AuthConfig } from "./config.ts";
import { AuthError, internalError } from "./errors.ts";
import { checkApiKey } from "./gateway.ts";
import { compileRoutes, createCtx, errorReply, matchRoute, send } from "./http.ts";
import { allRoutes } from "./routes.ts";
import { KeyStore } from "./tokens.ts";

export async function createApp(config: AuthConfig): Promise<App> {
  const keys = new KeyStore(config.keysFile, config.jwtExpiry);
  await keys.load();
  keys.watch();
  const sql = postgres(config.databaseUrl, {
    max: 12,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { TimeZone: "UTC", search_path: "auth" },
  }) as App["sql"];
  return {
    config,
    sql,
    keys,
    jwtSecret: new TextEncoder().encode(config.secrets.jwt_secret),
    state: { issuedFirstToken: false },
  };
}

export function createAuthServer(app: App): Server {
  const routes = compileRoutes(allRoutes(app));
  const base = app.config.basePath;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let apiVersion: string | null = null;
    try {
      if (base && !(url.pathname === base || url.pathname.startsWith(`${base}/`))) {
        send(res, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" });
        return;
      }
      const path = url.pathname.slice(base.length) || "/";
      const method = req.method ?? "GET";
      const match = matchRoute(routes, method, path);
      if (match === null) {
        send(res, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" });
        return;
      }
      if (match === "method_not_allowed") {
        send(res, { status: 405 });
        return;
      }
      if (!match.route.open) {
        const apikey = (req.headers.apikey as string | undefined) ?? url.searchParams.get("apikey") ?? undefined;
        const gate = checkApiKey(app.config.secrets, apikey, req.headers.authorization);
        if (!gate.ok) {
          send(res, { status: gate.status, body: gate.body });
          return;
        }
        if (gate.authorization !== undefined) req.headers.authorization = gate.authorization;
      }
      const ctx = createCtx(req, url, path, match.params);
      apiVersion = ctx.apiVersion;
      const reply = await match.route.handler(ctx);
      send(res, reply);
    } catch (error) {
      const authError = error instanceof AuthError ? error : internalError("Unexpected failure, please check server logs for more information");
      if (!(error instanceof AuthError)) console.error(error);
      apiVersion ??= null;
      send(res, errorReply(authError, apiVersion ?? requestedVersion(req.headers["x-supabase-api-version"])));
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function requestedVersion(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) && value >= "2024-01-01" ? "2024-01-01" : null;
}
