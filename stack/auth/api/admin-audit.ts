import type { App } from "../app.ts";
import type { Route } from "../http.ts";

export function adminAuditRoutes(app: App): Route[] {
  void app;
  return [];
}
