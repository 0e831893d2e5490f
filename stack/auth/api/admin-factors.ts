import type { App } from "../app.ts";
import type { Route } from "../http.ts";

export function adminFactorRoutes(app: App): Route[] {
  void app;
  return [];
}
