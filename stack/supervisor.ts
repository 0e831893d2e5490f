import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { StackError, type Logger } from "./log.ts";
import { runToLog } from "./postgres/cluster.ts";
import type { HealthCheck, ServiceDescription } from "./services/types.ts";
import { tailFile } from "./tail.ts";

const LOG_TAIL = 20;

// ---- processes ------------------------------------------------------------------------------------

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, "utf8")).split("\n")[0]!.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

async function commandLine(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();
  } catch {
    return null;
  }
}

async function isOurs(pid: number, identity: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const cmdline = await commandLine(pid);
  return cmdline === null || cmdline.includes(identity);
}

/**
 * The pid of the service's live process, or null; never a recycled pid of an unrelated process.
 * A process service whose pid file was lost is found again through the port it listens on.
 */
export async function runningPid(service: ServiceDescription): Promise<number | null> {
  const file = service.run.kind === "daemon" ? service.run.pidFile : service.pidFile;
  const pid = await readPid(file);
  if (pid !== null && (await isOurs(pid, service.run.identity))) return pid;
  if (service.run.kind === "process" && !(await isPortFree(service.port))) {
    const owner = await portOwner(service.port);
    if (owner?.pid && (await commandLine(owner.pid))?.includes(service.run.identity)) {
      await writeFile(service.pidFile, `${owner.pid}\n`).catch(() => {});
      return owner.pid;
    }
  }
  return null;
}

// ---- health ---------------------------------------------------------------------------------------

export async function checkHealth(check: HealthCheck): Promise<boolean> {
  if (check.kind === "http") {
    try {
      const response = await fetch(check.url, { headers: check.headers, signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
  const sql = postgres(check.url, { max: 1, connect_timeout: 2, onnotice: () => {}, idle_timeout: 1 });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

// ---- ports ----------------------------------------------------------------------------------------

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export type PortOwner = { pid: number | null; process: string | null; line: string };

/** Parses `ss -Hltnp` output: `LISTEN 0 511 127.0.0.1:54321 0.0.0.0:* users:(("node",pid=12,fd=20))`. */
export function parseSsOwner(output: string): PortOwner | null {
  const line = output.split("\n").find((l) => l.trim());
  if (!line) return null;
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
  return { pid: match ? Number(match[2]) : null, process: match ? match[1]! : null, line: line.trim() };
}

export function portOwner(port: number): Promise<PortOwner | null> {
  return new Promise((resolve) => {
    execFile("ss", ["-Hltnp", `sport = :${port}`], { timeout: 5000 }, (error, stdout) => {
      resolve(error ? null : parseSsOwner(stdout));
    });
  });
}

async function portInUseError(service: ServiceDescription): Promise<StackError> {
  const owner = await portOwner(service.port);
  const ss = `ss -ltnp 'sport = :${service.port}'`;
  if (owner?.pid) {
    const cmdline = await commandLine(owner.pid);
    return new StackError(
      `port ${service.port} (${service.name}) is in use by ${owner.process} (pid ${owner.pid}${cmdline ? `: ${cmdline}` : ""})`,
      { fix: `stop that process (kill ${owner.pid}) or free port ${service.port}, then start again` },
    );
  }
  return new StackError(`port ${service.port} (${service.name}) is in use by another process`, {
    details: owner ? `  ${owner.line}` : undefined,
    fix: `find it with \`${process.getuid?.() === 0 ? "" : "sudo "}${ss}\`, stop it, then start again`,
  });
}

// ---- start / stop ---------------------------------------------------------------------------------

function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function logTail(service: ServiceDescription, from: number): Promise<string> {
  return `  last ${LOG_TAIL} lines of ${service.logFile}:\n${await tailFile(service.logFile, LOG_TAIL, "    ", from)}`;
}

/** Polls the health check; `logFrom` is where this start's output begins in the log. */
async function waitHealthy(
  service: ServiceDescription,
  hasExited: () => Promise<string | null>,
  logFrom = 0,
): Promise<void> {
  const deadline = Date.now() + service.startTimeoutMs;
  for (;;) {
    const exit = await hasExited();
    if (exit !== null) {
      throw new StackError(`${service.name} exited during start (${exit})`, {
        details: await logTail(service, logFrom),
        fix: `read the log above (\`npm run stack -- logs ${service.name}\`), fix the cause, start again`,
      });
    }
    if (await checkHealth(service.health)) return;
    if (Date.now() > deadline) {
      throw new StackError(
        `${service.name} did not become healthy within ${service.startTimeoutMs / 1000}s (${describeCheck(service.health)})`,
        {
          details: await logTail(service, logFrom),
          fix: `\`npm run stack -- stop\`, read \`npm run stack -- logs ${service.name}\`, then start again`,
        },
      );
    }
    await sleep(100);
  }
}

function describeCheck(check: HealthCheck): string {
  return check.kind === "http" ? `GET ${check.url}` : `connect to ${check.url.replace(/:[^:@/]*@/, ":***@")}`;
}

function banner(logFile: string, text: string): void {
  const fd = openSync(logFile, "a");
  try {
    writeSync(fd, `\n==== ${new Date().toISOString()} ${text} ====\n`);
  } finally {
    closeSync(fd);
  }
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;

async function launchProcess(service: ServiceDescription): Promise<void> {
  if (service.run.kind !== "process") throw new Error("not a process service");
  const run = service.run;
  await mkdir(dirname(service.logFile), { recursive: true });
  await mkdir(dirname(service.pidFile), { recursive: true });
  // Test runs start the stack thousands of times; keep one previous log, not all of them.
  if (logSize(service.logFile) > MAX_LOG_BYTES) await rename(service.logFile, `${service.logFile}.old`);
  const logFrom = logSize(service.logFile);
  banner(service.logFile, `${service.name}: ${run.command} ${run.args.join(" ")}`);
  const fd = openSync(service.logFile, "a");
  let exit: string | null = null;
  let pid = 0;
  try {
    // Detached: its own process group, so that it outlives this command and stop can signal the group.
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.on("exit", (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    child.unref();
    pid = child.pid!;
    await writeFile(service.pidFile, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    await waitHealthy(service, async () => exit, logFrom);
  } catch (error) {
    // A process that never became healthy must not linger holding the port.
    if (exit === null) {
      signalGroup(pid, "SIGTERM");
      if (!(await waitGone(pid, service.stopTimeoutMs))) signalGroup(pid, "SIGKILL");
    }
    await rm(service.pidFile, { force: true });
    throw error;
  }
}

async function launchDaemon(service: ServiceDescription): Promise<void> {
  if (service.run.kind !== "daemon") throw new Error("not a daemon service");
  const run = service.run;
  await mkdir(dirname(service.pidFile), { recursive: true });
  const logFrom = logSize(service.logFile);
  const code = await runToLog(run.start, service.logFile);
  if (code !== 0) {
    throw new StackError(`${service.name} failed to start (exit code ${code})`, {
      details: await logTail(service, logFrom),
      fix: `read the log above (\`npm run stack -- logs ${service.name}\`), fix the cause, start again`,
    });
  }
  const pid = await runningPid(service);
  if (pid !== null) await writeFile(service.pidFile, `${pid}\n`);
  await waitHealthy(service, async () => ((await runningPid(service)) === null ? "the server is gone" : null), logFrom);
}

export type StartResult = "started" | "running";

/** Starts one service unless it already runs; both ways it ends healthy and its afterStart has run. */
export async function startService(service: ServiceDescription, log: Logger): Promise<StartResult> {
  let result: StartResult;
  const pid = await runningPid(service);
  if (pid !== null) {
    await waitHealthy(service, async () => ((await runningPid(service)) === null ? "it stopped" : null));
    log.ok(`${service.name} is already running (pid ${pid})`);
    result = "running";
  } else {
    await service.prepare?.(log);
    if (!(await isPortFree(service.port))) throw await portInUseError(service);
    log.step(`Starting ${service.name} (log: ${service.logFile})`);
    const started = Date.now();
    if (service.run.kind === "process") await launchProcess(service);
    else await launchDaemon(service);
    const now = await runningPid(service);
    log.ok(`${service.name} is up on port ${service.port} (pid ${now}, ${((Date.now() - started) / 1000).toFixed(1)}s)`);
    result = "started";
  }
  await service.afterStart?.(log);
  return result;
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(50);
  }
  return !(await isAlive(pid));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export type StopResult = "stopped" | "not running";

export async function stopService(service: ServiceDescription, log: Logger): Promise<StopResult> {
  const pid = await runningPid(service);
  if (pid === null) {
    await rm(service.pidFile, { force: true });
    return "not running";
  }
  log.step(`Stopping ${service.name} (pid ${pid})`);
  if (service.run.kind === "daemon") {
    const code = await runToLog(service.run.stop, service.logFile);
    if (code !== 0 && !(await waitGone(pid, 1000))) {
      log.warn(`${service.name}: stop command failed (exit code ${code}); sending SIGQUIT`);
      signalGroup(pid, "SIGQUIT");
    }
  } else {
    signalGroup(pid, "SIGTERM");
  }
  if (!(await waitGone(pid, service.stopTimeoutMs))) {
    log.warn(`${service.name} ignored the stop request for ${service.stopTimeoutMs / 1000}s; sending SIGKILL`);
    signalGroup(pid, "SIGKILL");
    await waitGone(pid, 5000);
  }
  await rm(service.pidFile, { force: true });
  log.ok(`${service.name} stopped`);
  return "stopped";
}

export type ServiceState = { name: string; pid: number | null; healthy: boolean };

export async function serviceState(service: ServiceDescription): Promise<ServiceState> {
  const pid = await runningPid(service);
  return { name: service.name, pid, healthy: pid !== null && (await checkHealth(service.health)) };
}

// ---- one stack command at a time -------------------------------------------------------------------

/** Serialises start/stop/reset: a second caller waits for the first (parallel test runners do this). */
export async function withLock<T>(lockFile: string, log: Logger, body: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  let announced = false;
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = await readPid(lockFile);
      if (holder === null || !(await isAlive(holder))) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackError(`another stack command (pid ${holder}) has held ${lockFile} for 5 minutes`, {
          fix: `wait for it, or stop it (kill ${holder})`,
        });
      }
      if (!announced) log.info(`waiting for another stack command (pid ${holder}) to finish`);
      announced = true;
      await sleep(200);
    }
  }
  try {
    return await body();
  } finally {
    await rm(lockFile, { force: true });
  }
}
