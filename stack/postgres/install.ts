import { ensureAptPackages, type AptPackage } from "../apt.ts";
import type { Logger } from "../log.ts";

export const PG_VERSION = "15";
export const PG_BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;
const PG_SHARE = `/usr/share/postgresql/${PG_VERSION}`;

/** Debian's PostgreSQL 15 and pgTAP: each package and a file it installs. */
export const POSTGRES_PACKAGES: readonly AptPackage[] = [
  { name: `postgresql-${PG_VERSION}`, file: `${PG_BIN}/postgres` },
  { name: `postgresql-${PG_VERSION}`, file: `${PG_BIN}/initdb` },
  { name: `postgresql-client-${PG_VERSION}`, file: `${PG_BIN}/psql` },
  { name: `postgresql-${PG_VERSION}-pgtap`, file: `${PG_SHARE}/extension/pgtap.control` },
];

/**
 * PostgreSQL 15 and pgTAP from Debian. Missing pieces are installed with apt when running as root;
 * anyone else gets the exact command to run.
 */
export async function ensurePostgresInstalled(isRoot: boolean, log: Logger, logPath: string): Promise<void> {
  await ensureAptPackages(POSTGRES_PACKAGES, { what: `PostgreSQL ${PG_VERSION} with pgTAP`, isRoot, log, logPath });
}
