import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { StackError, type Logger } from "./log.ts";
import { tailFile } from "./tail.ts";

/** A Debian package and a file it installs: the file's presence is how we know the package is there. */
export type AptPackage = { name: string; file: string };

/** The packages whose file is missing, each named once, in the order given. */
export function missingPackages(packages: readonly AptPackage[], exists: (file: string) => boolean = existsSync): string[] {
  return [...new Set(packages.filter((p) => !exists(p.file)).map((p) => p.name))];
}

/** The exact command that installs `names`, with sudo for anyone but root. */
export function aptInstallCommand(names: readonly string[], isRoot: boolean): string {
  const sudo = isRoot ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${names.join(" ")}`;
}

/** Runs a command with its output appended to `logPath`; resolves with its exit code. */
export type AptRunner = (command: string, args: string[], logPath: string) => Promise<number>;

const runLogged: AptRunner = (command, args, logPath) => {
  mkdirSync(dirname(logPath), { recursive: true });
  const fd = openSync(logPath, "a");
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  }).finally(() => closeSync(fd));
};

export type EnsureAptOptions = {
  /** What needs the packages, for messages: "PostgreSQL 15 with pgTAP". */
  what: string;
  isRoot: boolean;
  log: Logger;
  /** apt's output goes here; named in the progress line and in errors. */
  logPath: string;
  exists?: (file: string) => boolean;
  run?: AptRunner;
};

/**
 * Makes sure `packages` are installed. Missing ones are installed with apt (`apt-get update`, then
 * `apt-get install -y`) when running as root, which is printed with the log's path; anyone else gets a
 * StackError whose fix is the exact command to run.
 */
export async function ensureAptPackages(packages: readonly AptPackage[], options: EnsureAptOptions): Promise<void> {
  const { what, isRoot, log, logPath, exists = existsSync, run = runLogged } = options;
  const missing = missingPackages(packages, exists);
  if (missing.length === 0) return;
  if (!isRoot) {
    throw new StackError(`Debian packages missing for ${what}: ${missing.join(", ")}`, {
      fix: aptInstallCommand(missing, false),
    });
  }
  const command = aptInstallCommand(missing, true);
  log.step(`Installing ${missing.join(", ")} with apt (${command}); output in ${logPath}`);
  for (const args of [["update"], ["install", "-y", ...missing]]) {
    const code = await run("apt-get", args, logPath);
    if (code !== 0) {
      throw new StackError(`apt-get ${args[0]} failed (exit code ${code})`, {
        details: await tailFile(logPath, 20),
        fix: `run \`${command}\` yourself and read its errors`,
      });
    }
  }
  const still = missingPackages(packages, exists);
  if (still.length > 0) {
    throw new StackError(`apt installed nothing usable for ${still.join(", ")}`, { fix: command });
  }
  log.ok(`Installed ${missing.join(", ")}`);
}
