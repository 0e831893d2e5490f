import type { App } from "../app.ts";
import { listAuditEntries } from "../db/audit.ts";
import { isoTime } from "../db/time.ts";
import { validationFailed } from "../errors.ts";
import { requireAdmin } from "../guards.ts";
import { json, type Route } from "../http.ts";
import { goQuery, goQueryGet, pageWindow, paginationHeaders, parsePagination } from "../pagination.ts";

/** `query=<scope>:<value>`: the payload keys each scope searches. */
const QUERY_SCOPES: Record<string, string[]> = {
  author: ["actor_username", "actor_name"],
  action: ["action"],
  type: ["log_type"],
};

/** Parses `query`; an empty value filters nothing, a missing colon or another scope is rejected. */
export function auditFilter(query: string): { columns: string[]; value: string } {
  if (query === "") return { columns: [], value: "" };
  const colon = query.indexOf(":");
  const scope = query.slice(0, colon);
  if (colon === -1 || !Object.hasOwn(QUERY_SCOPES, scope)) throw validationFailed(`Invalid query scope: ${query}`);
  return { columns: QUERY_SCOPES[scope] as string[], value: query.slice(colon + 1) };
}

export function adminAuditRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/admin/audit",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        const query = goQuery(ctx);
        const page = parsePagination(query);
        const filter = auditFilter(goQueryGet(query, "query"));
        const window = pageWindow(page) ?? { limit: 0, offset: 0 };
        const { entries, count } = await listAuditEntries(app.sql, { ...filter, ...window });
        return json(
          200,
          entries.map((e) => ({ id: e.id, payload: e.payload, created_at: isoTime(e.created_at), ip_address: e.ip_address })),
          paginationHeaders(ctx.path, query, page, BigInt(count)),
        );
      },
    },
    {
      method: "*",
      pattern: "/admin/audit",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        return { status: 405 };
      },
    },
  ];
}
