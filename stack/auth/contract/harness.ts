import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, closeSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { SignJWT } from "jose";
import postgres from "postgres";
import type { Diff } from "./compare.ts";
import type { LocalEnv } from "./normalize.ts";
import { FileReplay, httpTransport, type ContractSecrets, type FileResult, type Step } from "./replay.ts";
import { HOOK_BODIES, hookBodyFor, hookVariantSql } from "./hook-variants.ts";
import { checkSchemaFacts, type SchemaFacts } from "./schema-facts.ts";

/**
 * The contract test's own environment, isolated from the development stack: a fresh `contract_auth`
 * database in the local PostgreSQL, its own secrets and ES256 key, its own provider emulator (no seeded
 * identities; Google users are named "Spike User" and Apple users "Spike Apple" as in the recording), and an
 * Auth server on the bare paths of the transcripts (AUTH_BASE_PATH="").
 */

export const CONTRACT_DIR = import.meta.dirname;
export const REPO_ROOT = resolve(CONTRACT_DIR, "..", "..", "..");
export const TRANSCRIPTS_DIR = join(CONTRACT_DIR, "transcripts");
/** The shared folder the transcripts come from (`<repo>/../shared/auth-contract`), when it exists. */
export const SHARED_TRANSCRIPTS_DIR = resolve(REPO_ROOT, "..", "shared", "auth-contract");
export const CONFIG_TOML = join(CONTRACT_DIR, "config.toml");
export const HOOK_SQL = join(CONTRACT_DIR, "custom-access-token-hook.sql");

/** `CONTRACT_DATABASE` lets two contract runs share one PostgreSQL (each gets its own database and run folder). */
export const DATABASE = process.env.CONTRACT_DATABASE ?? "contract_auth";
const plainIdentifier = (name: string) => /^[a-z_][a-z0-9_]*$/.test(name);
if (!plainIdentifier(DATABASE)) throw new Error(`CONTRACT_DATABASE must be a plain lower-case identifier, got ${JSON.stringify(DATABASE)}`);
const PG_HOST = process.env.CONTRACT_PG_HOST ?? "127.0.0.1";
const PG_PORT = Number(process.env.CONTRACT_PG_PORT ?? 54322);
const PG_PASSWORD = process.env.CONTRACT_PG_PASSWORD ?? "postgres";
const dbUrl = (user: string, database: string) =>
  `postgresql://${user}:${PG_PASSWORD}@${PG_HOST}:${PG_PORT}/${database}`;

/** The client ids of the recording (`spike-…`), so that authorize URLs match them exactly. */
export const GOOGLE_CLIENT_ID = "spike-google-client";
export const APPLE_CLIENT_ID = "spike.apple.client";
const GOOGLE_NAME = "Spike User";
const APPLE_NAME = "Spike Apple";
/** Right after a start the hook makes the first token's aud an array (README); one throwaway sign-in absorbs it. */
const WARM_UP_EMAIL = "contract-warm-up@example.com";

/** Transcript files in a folder, sorted (`NN-name.json`). */
export async function transcriptFiles(dir = TRANSCRIPTS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d+-.*\.json$/.test(f)).sort();
}

export async function loadTranscript(file: string, dir = TRANSCRIPTS_DIR): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, file), "utf8"));
}

/** A transcript is an array of steps; `14-auth-schema-facts` is an object of facts. */
export function isSchemaFacts(value: unknown): value is SchemaFacts {
  return !!value && typeof value === "object" && !Array.isArray(value) && "tables" in value;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function legacyKey(secret: string, role: "anon" | "service_role"): Promise<string> {
  return new SignJWT({ iss: "supabase-demo", role, exp: 1983812996 })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

type Service = { name: string; child: ChildProcess; log: string };

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function startService(name: string, script: string, env: Record<string, string>, runDir: string): Service {
  const log = join(runDir, `${name}.log`);
  const fd = openSync(log, "a");
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.NODE_ENV; // vitest sets NODE_ENV=test; the services read no other value of it
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, [script], { cwd: REPO_ROOT, env: childEnv, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  return { name, child, log };
}

async function waitHealthy(service: Service, url: string, headers: Record<string, string> = {}, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}); last lines of ${service.log}:\n${tail(service.log)}`);
    }
    try {
      const res = await httpTransport({ method: "GET", url, headers });
      if (res.status === 200) return JSON.parse(res.text || "null") as unknown;
      last = `${res.status} ${res.text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${service.name} not healthy at ${url} after ${timeoutMs} ms (${last}); last lines of ${service.log}:\n${tail(service.log)}`);
}

async function stopService(service: Service): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export type ContractStack = {
  env: LocalEnv;
  secrets: ContractSecrets;
  runDir: string;
  superuserUrl: string;
  authAdminUrl: string;
  /** Empties every auth table (users cascade, sessions, flow state, audit log…): each transcript starts clean. */
  resetAuthTables(): Promise<void>;
  replay(file: string, steps: Step[], opts?: { log?: (line: string) => void }): Promise<FileResult>;
  /** Replaces the hook function's body (`hook-variants.ts`); `null` puts the recording's hook back. */
  installHookBody(body: string | null): Promise<void>;
  schemaFacts(file: string, facts: SchemaFacts): Promise<Diff[]>;
  stop(): Promise<void>;
};

/**
 * Builds and starts the contract environment; `stop()` tears it down (the database and the logs under
 * `.stack/contract/` stay for inspection until the next run).
 */
export async function startContractStack(
  opts: { log?: (line: string) => void; database?: string } = {},
): Promise<ContractStack> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? DATABASE;
  if (!plainIdentifier(database)) throw new Error(`contract database must be a plain lower-case identifier, got ${JSON.stringify(database)}`);
  const runDir = join(REPO_ROOT, ".stack", database === "contract_auth" ? "contract" : database);
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });

  // Database: dropped and created for every run, then bootstrapped like a Supabase database.
  const maintenanceUrl = dbUrl("postgres", "postgres");
  const superuserUrl = dbUrl("postgres", database);
  const authAdminUrl = dbUrl("supabase_auth_admin", database);
  const maintenance = postgres(maintenanceUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await maintenance.unsafe(`drop database if exists ${database} with (force)`);
    await maintenance.unsafe(`create database ${database}`);
  } catch (error) {
    throw new Error(`contract database: cannot (re)create ${database} at ${PG_HOST}:${PG_PORT} (is the stack started?): ${(error as Error).message}`);
  } finally {
    await maintenance.end({ timeout: 5 });
  }
  const { bootstrapDatabase } = (await import("../../postgres/bootstrap.ts")) as {
    bootstrapDatabase: (url: string) => Promise<void>;
  };
  const { migrateAuth } = (await import("../migrate.ts")) as { migrateAuth: (url: string) => Promise<unknown> };
  const { ensureSigningKeys } = (await import("../keys.ts")) as { ensureSigningKeys: (file: string) => Promise<void> };
  await bootstrapDatabase(superuserUrl);
  await migrateAuth(authAdminUrl);
  const sql = postgres(superuserUrl, { max: 2, onnotice: () => {}, connect_timeout: 10 });
  const recordedHook = await readFile(HOOK_SQL, "utf8");
  const installHookBody = async (body: string | null) => {
    await sql.unsafe(body === null ? recordedHook : hookVariantSql(body));
  };
  await installHookBody(null);
  log(`database ${database} ready`);

  // Secrets and signing key of this run only.
  const jwtSecret = randomBytes(36).toString("base64url");
  const secrets: ContractSecrets = {
    jwtSecret,
    anonKey: await legacyKey(jwtSecret, "anon"),
    serviceRoleKey: await legacyKey(jwtSecret, "service_role"),
  };
  const secretsFile = join(runDir, "secrets.json");
  await writeFile(
    secretsFile,
    JSON.stringify({
      jwt_secret: jwtSecret,
      anon_key: secrets.anonKey,
      service_role_key: secrets.serviceRoleKey,
      publishable_key: `sb_publishable_${randomBytes(24).toString("base64url")}`,
      secret_key: `sb_secret_${randomBytes(24).toString("base64url")}`,
    }),
    { mode: 0o600 },
  );
  const keysFile = join(runDir, "signing-keys.json");
  await ensureSigningKeys(keysFile);

  const [authPort, idpPort] = [await freePort(), await freePort()];
  const authOrigin = `http://127.0.0.1:${authPort}`;
  const idpOrigin = `http://127.0.0.1:${idpPort}`;
  const googleSecret = randomBytes(24).toString("base64url");
  const appleSecret = randomBytes(24).toString("base64url");
  const services: Service[] = [];
  const stopAll = async () => {
    await Promise.all(services.map(stopService));
    await sql.end({ timeout: 5 });
  };
  const onExit = () => services.forEach((s) => s.child.kill("SIGKILL"));
  process.once("exit", onExit);

  try {
    const idp = startService(
      "idp",
      "stack/idp/main.ts",
      {
        IDP_PORT: String(idpPort),
        IDP_ISSUER_BASE: idpOrigin,
        IDP_GOOGLE_CLIENT_ID: GOOGLE_CLIENT_ID,
        IDP_GOOGLE_CLIENT_SECRET: googleSecret,
        IDP_APPLE_CLIENT_ID: APPLE_CLIENT_ID,
        IDP_APPLE_CLIENT_SECRET: appleSecret,
        IDP_REDIRECT_URIS: `${authOrigin}/callback`,
        // Its own folder: the emulator keeps its RS256 keys next to its state file.
        IDP_STATE_FILE: join(runDir, "idp", "state.json"),
        IDP_IDENTITIES_FILE: "", // no seeded people: every email gets the default names of the recording
        IDP_DEFAULT_NAME: GOOGLE_NAME,
        IDP_GOOGLE_DEFAULT_NAME: GOOGLE_NAME,
        IDP_APPLE_DEFAULT_NAME: APPLE_NAME,
      },
      runDir,
    );
    services.push(idp);
    const googleIssuer = `${idpOrigin}/google`;
    const appleIssuer = `${idpOrigin}/apple`;
    const googleDiscovery = (await waitHealthy(idp, `${googleIssuer}/.well-known/openid-configuration`)) as Record<string, string>;
    const appleDiscovery = (await waitHealthy(idp, `${appleIssuer}/.well-known/openid-configuration`)) as Record<string, string>;
    log("provider emulators ready");

    const auth = startService(
      "auth",
      "stack/auth/main.ts",
      {
        AUTH_HOST: "127.0.0.1",
        AUTH_PORT: String(authPort),
        AUTH_BASE_PATH: "",
        AUTH_EXTERNAL_URL: authOrigin,
        AUTH_DATABASE_URL: authAdminUrl,
        AUTH_CONFIG_FILE: CONFIG_TOML,
        AUTH_SECRETS_FILE: secretsFile,
        AUTH_KEYS_FILE: keysFile,
        SUPABASE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: GOOGLE_CLIENT_ID,
        SUPABASE_AUTH_EXTERNAL_GOOGLE_SECRET: googleSecret,
        SUPABASE_AUTH_EXTERNAL_GOOGLE_URL: googleIssuer,
        SUPABASE_AUTH_EXTERNAL_APPLE_CLIENT_ID: APPLE_CLIENT_ID,
        SUPABASE_AUTH_EXTERNAL_APPLE_SECRET: appleSecret,
        SUPABASE_AUTH_EXTERNAL_APPLE_URL: appleIssuer,
      },
      runDir,
    );
    services.push(auth);
    await waitHealthy(auth, `${authOrigin}/health`, { apikey: secrets.anonKey });
    log(`auth server ready at ${authOrigin}`);

    const env: LocalEnv = {
      authOrigin,
      providerOrigins: [idpOrigin],
      googleAuthorize: googleDiscovery.authorization_endpoint,
      appleAuthorize: appleDiscovery.authorization_endpoint,
      googleClientId: GOOGLE_CLIENT_ID,
      appleClientId: APPLE_CLIENT_ID,
    };

    // Not fatal: a server that cannot sign in yet still gets the rest of its answers compared.
    try {
      const warmUp = new FileReplay("warm-up", [], { env, secrets });
      const flow = await warmUp.signIn("google", WARM_UP_EMAIL);
      await warmUp.exchange(flow.code, flow.verifier);
      log("warm-up sign-in done");
    } catch (error) {
      log(`warm-up sign-in failed (${(error as Error).message}); the first token of the run may differ`);
    }

    return {
      env,
      secrets,
      runDir,
      superuserUrl,
      authAdminUrl,
      async resetAuthTables() {
        const tables = (
          await sql<{ tablename: string }[]>`
            select tablename from pg_tables where schemaname = 'auth' and tablename <> 'schema_migrations'`
        ).map((r) => `auth."${r.tablename.replace(/"/g, '""')}"`);
        if (tables.length > 0) await sql.unsafe(`truncate ${tables.join(", ")} restart identity cascade`);
      },
      async replay(file, steps, replayOpts = {}) {
        const variesHook = Object.hasOwn(HOOK_BODIES, file);
        const beforeStep = async (step: Step) => {
          const body = hookBodyFor(file, step);
          if (body !== undefined) await installHookBody(body);
        };
        try {
          return await new FileReplay(file, steps, {
            env,
            secrets,
            ...(replayOpts.log ? { log: replayOpts.log } : {}),
            ...(variesHook ? { beforeStep } : {}),
          }).run();
        } finally {
          if (variesHook) await installHookBody(null);
        }
      },
      installHookBody,
      schemaFacts(file, facts) {
        return checkSchemaFacts(file, facts, sql);
      },
      async stop() {
        process.removeListener("exit", onExit);
        await stopAll();
      },
    };
  } catch (error) {
    process.removeListener("exit", onExit);
    await stopAll();
    throw error;
  }
}

/** Replays (or checks) one file of the transcripts folder against a started stack. */
export async function runContractFile(
  stack: ContractStack,
  file: string,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<Diff[]> {
  const data = await loadTranscript(file, opts.dir);
  if (isSchemaFacts(data)) return stack.schemaFacts(file, data);
  await stack.resetAuthTables();
  const result = await stack.replay(file, data as Step[], opts.log ? { log: opts.log } : {});
  return result.diffs;
}

export const sharedFolderExists = () => existsSync(SHARED_TRANSCRIPTS_DIR);
