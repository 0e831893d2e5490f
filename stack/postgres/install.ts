import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { StackError, type Logger } from "../log.ts";
import { tailFile } from "../tail.ts";

export const PG_VERSION = "15";
export const PG_BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;
const PG_SHARE = `/usr/share/postgresql/${PG_VERSION}`;

/** Debian packages and a file each one installs. */
const REQUIRED = [
  { pkg: `postgresql-${PG_VERSION}`, file: `${PG_BIN}/postgres` },
  { pkg: `postgresql-${PG_VERSION}`, file: `${PG_BIN}/initdb` },
  { pkg: `postgresql-client-${PG_VERSION}`, file: `${PG_BIN}/psql` },
  { pkg: `postgresql-${PG_VERSION}-pgtap`, file: `${PG_SHARE}/extension/pgtap.control` },
];

export const INSTALL_PACKAGES = [`postgresql-${PG_VERSION}`, `postgresql-${PG_VERSION}-pgtap`];

export function installCommand(isRoot: boolean): string {
  const sudo = isRoot ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${INSTALL_PACKAGES.join(" ")}`;
}

export function missingPackages(exists: (file: string) => boolean = existsSync): string[] {
  return [...new Set(REQUIRED.filter((r) => !exists(r.file)).map((r) => r.pkg))];
}

function run(command: string, args: string[], logPath: string): Promise<number> {
  const fd = openSync(logPath, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  }).finally(() => closeSync(fd)) as Promise<number>;
}

/**
 * PostgreSQL 15 and pgTAP from Debian. Missing pieces are installed with apt when running as root;
 * anyone else gets the exact command to run.
 */
export async function ensurePostgresInstalled(isRoot: boolean, log: Logger, logPath: string): Promise<void> {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot) {
    throw new StackError(`PostgreSQL ${PG_VERSION} with pgTAP is not installed (missing: ${missing.join(", ")})`, {
      fix: installCommand(false),
    });
  }
  log.step(`Installing ${missing.join(", ")} with apt (${installCommand(true)}); output in ${logPath}`);
  for (const args of [["update"], ["install", "-y", ...INSTALL_PACKAGES]]) {
    const code = await run("apt-get", args, logPath);
    if (code !== 0) {
      throw new StackError(`apt-get ${args[0]} failed (exit code ${code})`, {
        details: await tailFile(logPath, 20),
        fix: `run \`${installCommand(true)}\` yourself and read its errors`,
      });
    }
  }
  const still = missingPackages();
  if (still.length > 0) {
    throw new StackError(`apt installed nothing usable for ${still.join(", ")}`, { fix: installCommand(true) });
  }
  log.ok(`Installed ${missing.join(", ")}`);
}
