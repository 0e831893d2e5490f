import "server-only";
import postgres from "postgres";
import { getServerConfig } from "../server-config";

declare global {
  // One pool per server process, kept across hot reloads in development.
  var __appSql: postgres.Sql | undefined;
}

/** The app's connection pool. Only lib/db/rls.ts and lib/auth/guard.ts use it directly. */
export function pool(): postgres.Sql {
  globalThis.__appSql ??= postgres(getServerConfig().databaseUrl, {
    max: 10,
    idle_timeout: 30,
    connect_timeout: 5,
    prepare: true,
    onnotice: () => {},
  });
  return globalThis.__appSql;
}
