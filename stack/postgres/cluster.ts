import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DB_PASSWORD, HOST, PORTS } from "../env.ts";
import { StackError, type Logger } from "../log.ts";
import type { StackPaths } from "../paths.ts";
import type { Command } from "../services/types.ts";
import { tailFile } from "../tail.ts";
import { PG_BIN } from "./install.ts";

/** As root, the cluster belongs to Debian's `postgres` account: PostgreSQL refuses to run as root. */
export const CLUSTER_OWNER = "postgres";

export type OsAccount = { name: string; uid: number; gid: number; groups: number[] };

export function lookupAccount(name: string): OsAccount {
  const id = (flag: string) => execFileSync("id", [flag, name], { encoding: "utf8" }).trim();
  try {
    return {
      name,
      uid: Number(id("-u")),
      gid: Number(id("-g")),
      groups: id("-G").split(/\s+/).map(Number),
    };
  } catch {
    throw new StackError(`the OS user \`${name}\` does not exist (Debian's postgresql-common package creates it)`, {
      fix: "apt-get install --reinstall -y postgresql-common postgresql-15",
    });
  }
}

/** Runs a command as the cluster's owner: through runuser when root, as is otherwise. */
export function asClusterOwner(cmd: Command, isRoot: boolean): Command {
  if (!isRoot) return cmd;
  return { ...cmd, command: "runuser", args: ["-u", CLUSTER_OWNER, "--", cmd.command, ...cmd.args] };
}

/**
 * TCP on loopback only and no unix socket: a socket path inside a deep checkout would exceed the
 * 107-byte limit, and a shared /tmp socket would collide with other checkouts.
 */
export function serverOptions(): string {
  return `-c listen_addresses=${HOST} -c port=${PORTS.postgres} -c unix_socket_directories=''`;
}

export function pgCtlStart(paths: StackPaths, logPath: string, isRoot: boolean): Command {
  return asClusterOwner(
    {
      command: `${PG_BIN}/pg_ctl`,
      args: ["start", "-D", paths.postgresData, "-l", logPath, "-w", "-t", "60", "-o", serverOptions()],
      cwd: paths.postgresDir,
    },
    isRoot,
  );
}

export function pgCtlStop(paths: StackPaths, isRoot: boolean): Command {
  return asClusterOwner(
    {
      command: `${PG_BIN}/pg_ctl`,
      args: ["stop", "-D", paths.postgresData, "-m", "fast", "-w", "-t", "60"],
      cwd: paths.postgresDir,
    },
    isRoot,
  );
}

export function initdbCommand(paths: StackPaths, pwfile: string, isRoot: boolean): Command {
  return asClusterOwner(
    {
      command: `${PG_BIN}/initdb`,
      args: [
        "-D",
        paths.postgresData,
        "-U",
        "postgres",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--auth-host=scram-sha-256",
        "--auth-local=peer",
        "--no-instructions",
      ],
      cwd: paths.postgresDir,
    },
    isRoot,
  );
}

export type DirStat = { mode: number; uid: number; gid: number };

/** Whether `account` may pass through a directory (the execute bit that applies to it). */
export function canTraverse(dir: DirStat, account: OsAccount): boolean {
  if (account.uid === 0) return true;
  if (dir.uid === account.uid) return (dir.mode & 0o100) !== 0;
  if (account.groups.includes(dir.gid)) return (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o001) !== 0;
}

export function ancestors(dir: string): string[] {
  const list: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    list.unshift(current);
    if (dirname(current) === current) return list;
  }
}

/** As root: the postgres account must be able to reach the data directory through every ancestor. */
async function grantTraversal(dir: string, account: OsAccount, log: Logger): Promise<void> {
  for (const ancestor of ancestors(dir)) {
    const info = await stat(ancestor);
    if (!canTraverse(info, account)) {
      await chmod(ancestor, (info.mode & 0o7777) | 0o001);
      log.warn(`granted o+x on ${ancestor} so that the ${account.name} user can reach the database files`);
    }
  }
}

/** Runs a one-shot command (initdb, pg_ctl) with its output appended to a log; resolves its exit code. */
export function runToLog(cmd: Command, logPath: string): Promise<number> {
  const fd = openSync(logPath, "a");
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ["ignore", fd, fd],
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  }).finally(() => closeSync(fd));
}

/**
 * Creates the cluster on first use (initdb with the postgres superuser and password auth over TCP)
 * and, as root, makes sure the postgres account owns it and can reach it and its log.
 * Returns whether the cluster was just created.
 */
export async function ensureCluster(paths: StackPaths, logPath: string, isRoot: boolean, log: Logger): Promise<boolean> {
  await mkdir(paths.postgresDir, { recursive: true });
  await mkdir(dirname(logPath), { recursive: true });
  const account = isRoot ? lookupAccount(CLUSTER_OWNER) : null;
  if (account) {
    await grantTraversal(paths.postgresDir, account, log);
    // pg_ctl opens the server log as the postgres account.
    await writeFile(logPath, "", { flag: "a" });
    await chown(logPath, account.uid, account.gid);
  }

  if (existsSync(join(paths.postgresData, "PG_VERSION"))) {
    if (account) {
      const info = await stat(paths.postgresData);
      if (info.uid !== account.uid) {
        log.step(`Giving ${paths.postgresData} to the ${account.name} user`);
        execFileSync("chown", ["-R", `${account.uid}:${account.gid}`, paths.postgresData]);
      }
    }
    return false;
  }

  log.step(`Initialising a new PostgreSQL cluster in ${paths.postgresData}`);
  if (existsSync(paths.postgresData) && (await readdir(paths.postgresData)).length > 0) {
    log.warn("removing the remains of an earlier, unfinished initialisation");
    await rm(paths.postgresData, { recursive: true, force: true });
  }
  await mkdir(paths.postgresData, { recursive: true, mode: 0o700 });
  await chmod(paths.postgresData, 0o700);
  const pwfile = join(paths.postgresDir, ".initdb-password");
  await writeFile(pwfile, `${DB_PASSWORD}\n`, { mode: 0o600 });
  if (account) {
    await chown(paths.postgresData, account.uid, account.gid);
    await chown(pwfile, account.uid, account.gid);
    log.info(`running initdb as the ${account.name} user (PostgreSQL refuses to run as root)`);
  }
  try {
    const code = await runToLog(initdbCommand(paths, pwfile, isRoot), logPath);
    if (code !== 0) {
      throw new StackError(`initdb failed (exit code ${code})`, {
        details: await tailFile(logPath, 20),
        fix: `remove ${paths.postgresData} and start again; if it fails again, read ${logPath}`,
      });
    }
  } finally {
    await rm(pwfile, { force: true });
  }
  log.ok("Cluster initialised (UTF8, C.UTF-8, user postgres, password auth on 127.0.0.1)");
  return true;
}
