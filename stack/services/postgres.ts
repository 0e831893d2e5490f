import { join } from "node:path";
import { PORTS, stackUrls } from "../env.ts";
import { logFile, pidFile } from "../paths.ts";
import { bootstrapDatabase } from "../postgres/bootstrap.ts";
import { ensureCluster, pgCtlStart, pgCtlStop } from "../postgres/cluster.ts";
import { ensurePostgresInstalled } from "../postgres/install.ts";
import { migrateDatabase } from "../postgres/migrate.ts";
import type { ServiceDescription, StackContext } from "./types.ts";

/** PostgreSQL 15 on 127.0.0.1:54322, run by pg_ctl as the cluster's owner. */
export function describePostgres({ paths, isRoot }: StackContext): ServiceDescription {
  const urls = stackUrls();
  const log = logFile(paths, "postgres");
  return {
    name: "postgres",
    dependsOn: [],
    port: PORTS.postgres,
    run: {
      kind: "daemon",
      // The postmaster's command line names its data directory, which is unique to this checkout.
      identity: paths.postgresData,
      start: pgCtlStart(paths, log, isRoot),
      stop: pgCtlStop(paths, isRoot),
      pidFile: join(paths.postgresData, "postmaster.pid"),
    },
    logFile: log,
    pidFile: pidFile(paths, "postgres"),
    health: { kind: "postgres", url: urls.db },
    startTimeoutMs: 60_000,
    stopTimeoutMs: 60_000,
    prepare: async (logger) => {
      await ensurePostgresInstalled(isRoot, logger, logFile(paths, "install"));
      await ensureCluster(paths, log, isRoot, logger);
    },
    afterStart: async (logger) => {
      logger.step("Bootstrapping Supabase roles, schemas and grants");
      await bootstrapDatabase(urls.db);
      await migrateDatabase({ paths, superuserUrl: urls.db, authAdminUrl: urls.authAdminDb, log: logger });
    },
  };
}
