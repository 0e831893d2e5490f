import type { App } from "./app.ts";
import type { Route } from "./http.ts";
import { adminAuditRoutes } from "./api/admin-audit.ts";
import { adminFactorRoutes } from "./api/admin-factors.ts";
import { adminUserRoutes } from "./api/admin-users.ts";
import { authorizeRoutes } from "./api/authorize.ts";
import { factorRoutes } from "./api/factors.ts";
import { healthRoutes } from "./api/health.ts";
import { identityRoutes } from "./api/identities.ts";
import { logoutRoutes } from "./api/logout.ts";
import { tokenRoutes } from "./api/token.ts";
import { userRoutes } from "./api/user.ts";

/** Every endpoint group of the Auth server; paths are relative to the base path (`/auth/v1`). */
export function allRoutes(app: App): Route[] {
  return [
    ...healthRoutes(app),
    ...authorizeRoutes(app),
    ...tokenRoutes(app),
    ...userRoutes(app),
    ...identityRoutes(app),
    ...logoutRoutes(app),
    ...factorRoutes(app),
    ...adminUserRoutes(app),
    ...adminFactorRoutes(app),
    ...adminAuditRoutes(app),
  ];
}
