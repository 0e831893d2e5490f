import { join, resolve } from "node:path";

/** Where the stack keeps its state; every path hangs off the repository root (see stack/README.md). */
export type StackPaths = {
  root: string;
  state: string;
  logs: string;
  run: string;
  postgresDir: string;
  postgresData: string;
  secretsFile: string;
  authDir: string;
  signingKeysFile: string;
  idpDir: string;
  idpStateFile: string;
  idpIdentitiesFile: string;
  configToml: string;
  migrationsDir: string;
  seedFile: string;
  dbTestsDir: string;
  appEnvFile: string;
  lockFile: string;
};

export function stackPaths(root: string): StackPaths {
  const state = join(root, ".stack");
  return {
    root,
    state,
    logs: join(state, "logs"),
    run: join(state, "run"),
    postgresDir: join(state, "postgres"),
    postgresData: join(state, "postgres", "data"),
    secretsFile: join(state, "secrets.json"),
    authDir: join(state, "auth"),
    signingKeysFile: join(state, "auth", "signing-keys.json"),
    idpDir: join(state, "idp"),
    idpStateFile: join(state, "idp", "state.json"),
    idpIdentitiesFile: join(root, "stack", "idp", "identities.json"),
    configToml: join(root, "supabase", "config.toml"),
    migrationsDir: join(root, "supabase", "migrations"),
    seedFile: join(root, "supabase", "seed.sql"),
    dbTestsDir: join(root, "supabase", "tests", "database"),
    appEnvFile: join(root, ".env.local"),
    lockFile: join(state, "run", "stack.lock"),
  };
}

export function logFile(paths: StackPaths, service: string): string {
  return join(paths.logs, `${service}.log`);
}

export function pidFile(paths: StackPaths, service: string): string {
  return join(paths.run, `${service}.pid`);
}

/** The repository root: this file lives in <root>/stack/. */
export function repoRoot(): string {
  return resolve(import.meta.dirname, "..");
}
