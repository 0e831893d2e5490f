import { spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { relative } from "node:path";
import { parse as parseToml } from "smol-toml";
import { loadAuthKeys } from "./auth-modules.ts";
import { appEnvFile, formatStatusEnv, formatStatusPretty, statusValues } from "./env.ts";
import { consoleLogger, formatError, StackError, type Logger } from "./log.ts";
import { repoRoot, stackPaths } from "./paths.ts";
import { ensureSecrets, readSecrets, type Secrets } from "./secrets.ts";
import { describeServices, SERVICE_NAMES } from "./services/index.ts";
import type { StackContext } from "./services/types.ts";
import { serviceState, startService, stopService, withLock } from "./supervisor.ts";
import { tailFile } from "./tail.ts";

const USAGE = `Local Supabase stack (development and tests only)

usage: npm run stack -- <command>

  start                 start PostgreSQL, the Google/Apple emulators and the Auth server
  stop                  stop them all (data is kept)
  status [-o env|json]  URLs and keys, like \`supabase status\`
  reset                 wipe the database cluster and the emulators' memory, then start again
                        (bootstrap, Auth schema, supabase/migrations, supabase/seed.sql)
  logs [service] [-f] [-n lines]
                        service logs (${SERVICE_NAMES.join(", ")})
  rotate-keys [--stage] new signing key for access tokens; --stage publishes it verify-only first`;

const paths = stackPaths(repoRoot());
const isRoot = process.getuid?.() === 0;

function context(secrets: Secrets | null): StackContext {
  return { paths, secrets, isRoot, nodePath: process.execPath };
}

const rel = (file: string) => relative(paths.root, file) || ".";

async function writeAppEnv(secrets: Secrets, log: Logger): Promise<void> {
  const content = appEnvFile(secrets);
  const current = await readFile(paths.appEnvFile, "utf8").catch(() => null);
  if (current === content) return;
  await writeFile(paths.appEnvFile, content, { mode: 0o600 });
  log.ok(`Wrote the app's environment to ${rel(paths.appEnvFile)}`);
}

async function startAll(log: Logger): Promise<Secrets> {
  await mkdir(paths.logs, { recursive: true });
  await mkdir(paths.run, { recursive: true });
  const { secrets, created } = await ensureSecrets(paths.secretsFile);
  if (created) log.ok(`Generated ${rel(paths.secretsFile)} (JWT secret, legacy and new API keys)`);
  await writeAppEnv(secrets, log);
  for (const service of describeServices(context(secrets))) {
    await startService(service, log);
  }
  return secrets;
}

async function stopAll(log: Logger): Promise<number> {
  const secrets = await readSecrets(paths.secretsFile).catch(() => null);
  let stopped = 0;
  for (const service of describeServices(context(secrets)).reverse()) {
    if ((await stopService(service, log)) === "stopped") stopped++;
  }
  return stopped;
}

function printSummary(secrets: Secrets, startedAt: number, log: Logger): void {
  log.ok(`Local Supabase is running (${((Date.now() - startedAt) / 1000).toFixed(1)}s)\n`);
  console.log(formatStatusPretty(statusValues(secrets)));
}

async function start(log: Logger): Promise<void> {
  const startedAt = Date.now();
  log.step(`Starting the local Supabase stack in ${paths.root}`);
  const secrets = await withLock(paths.lockFile, log, () => startAll(log));
  printSummary(secrets, startedAt, log);
}

async function stop(log: Logger): Promise<void> {
  const stopped = await withLock(paths.lockFile, log, () => stopAll(log));
  if (stopped === 0) log.ok("Nothing was running");
  else log.ok("Local Supabase stopped (data kept in .stack/)");
}

async function reset(log: Logger): Promise<void> {
  const startedAt = Date.now();
  const secrets = await withLock(paths.lockFile, log, async () => {
    await stopAll(log);
    log.step(`Wiping the database cluster (${rel(paths.postgresData)}) and the emulators' state`);
    await rm(paths.postgresData, { recursive: true, force: true });
    await rm(paths.idpStateFile, { force: true });
    return startAll(log);
  });
  log.ok("Database reset: bootstrap, Auth schema, migrations and seed applied");
  printSummary(secrets, startedAt, log);
}

function option(args: string[], ...names: string[]): string | undefined {
  for (const [i, arg] of args.entries()) {
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

async function status(args: string[]): Promise<number> {
  const format = option(args, "-o", "--output") ?? "pretty";
  if (!["pretty", "env", "json"].includes(format)) {
    throw new StackError(`unknown output format ${format}`, { fix: "use -o env or -o json" });
  }
  const secrets = await readSecrets(paths.secretsFile);
  const states = await Promise.all(describeServices(context(secrets)).map(serviceState));
  const down = states.filter((s) => !s.healthy).map((s) => (s.pid === null ? s.name : `${s.name} (unhealthy)`));
  const values = secrets ? statusValues(secrets) : [];
  if (format === "env") {
    if (values.length) console.log(formatStatusEnv(values));
  } else if (format === "json") {
    console.log(JSON.stringify(Object.fromEntries(values.map((v) => [v.key, v.value])), null, 2));
  } else {
    for (const s of states) {
      const state = s.pid === null ? "stopped" : s.healthy ? "running" : "unhealthy";
      console.log(`${s.name.padEnd(9)} ${state.padEnd(9)} ${s.pid === null ? "" : `pid ${s.pid}`}`.trimEnd());
    }
    if (values.length) console.log(`\n${formatStatusPretty(values)}`);
  }
  if (down.length === 0) return 0;
  console.error(`Stopped services: ${down.join(", ")} (start them with \`npm run stack -- start\`)`);
  return 1;
}

async function logs(args: string[]): Promise<number> {
  const follow = args.includes("-f") || args.includes("--follow");
  const lines = Number(option(args, "-n", "--lines") ?? 100);
  const valued = new Set([option(args, "-n", "--lines")]);
  const named = args.filter((a) => !a.startsWith("-") && !valued.has(a));
  for (const name of named) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new StackError(`unknown service ${name}`, { fix: `one of: ${SERVICE_NAMES.join(", ")}` });
    }
  }
  const services = describeServices(context(null)).filter((s) => named.length === 0 || named.includes(s.name));
  if (follow) {
    const child = spawn("tail", ["-n", String(lines), "-F", ...services.map((s) => s.logFile)], { stdio: "inherit" });
    return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
  }
  for (const service of services) {
    console.log(`==> ${service.name} (${rel(service.logFile)}) <==`);
    console.log(await tailFile(service.logFile, lines, ""));
  }
  return 0;
}

/** `[auth] jwt_expiry` of supabase/config.toml: how long a retired key must stay verifiable. */
async function jwtExpirySeconds(): Promise<number | undefined> {
  const text = await readFile(paths.configToml, "utf8").catch(() => null);
  if (text === null) return undefined;
  const expiry = (parseToml(text) as { auth?: { jwt_expiry?: unknown } }).auth?.jwt_expiry;
  return typeof expiry === "number" ? expiry : undefined;
}

async function rotateKeys(args: string[], log: Logger): Promise<void> {
  const stage = args.includes("--stage");
  const { rotateSigningKeys } = await loadAuthKeys();
  const expiry = await jwtExpirySeconds();
  await withLock(paths.lockFile, log, () =>
    rotateSigningKeys(paths.signingKeysFile, { stage, ...(expiry ? { jwtExpirySeconds: expiry } : {}) }),
  );
  log.ok(
    stage
      ? `Staged a new signing key in ${rel(paths.signingKeysFile)} (published in the JWKS, not signing yet)`
      : `Rotated the signing keys in ${rel(paths.signingKeysFile)}; the Auth server picks them up without a restart`,
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const log = consoleLogger;
  switch (command) {
    case "start":
      await start(log);
      return 0;
    case "stop":
      await stop(log);
      return 0;
    case "status":
      return status(args);
    case "reset":
      await reset(log);
      return 0;
    case "logs":
      return logs(args);
    case "rotate-keys":
      await rotateKeys(args, log);
      return 0;
    case undefined:
    case "help":
    case "-h":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(formatError(error));
  process.exitCode = 1;
}
// Keep-alive sockets of fetch() and detached children must not hold the command open.
process.exit();
