import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { loadAuthKeys } from "../auth-modules.ts";
import { authEnv, PORTS, stackUrls } from "../env.ts";
import { logFile, pidFile } from "../paths.ts";
import type { ServiceDescription, StackContext } from "./types.ts";

/** The local Auth server on 127.0.0.1:54321/auth/v1; it needs the database and the emulators. */
export function describeAuth({ paths, secrets, nodePath }: StackContext): ServiceDescription {
  const main = join(paths.root, "stack", "auth", "main.ts");
  return {
    name: "auth",
    dependsOn: ["postgres", "idp"],
    port: PORTS.auth,
    run: {
      kind: "process",
      identity: main,
      command: nodePath,
      args: [main],
      env: secrets ? authEnv({ paths, secrets }) : {},
      cwd: paths.root,
    },
    logFile: logFile(paths, "auth"),
    pidFile: pidFile(paths, "auth"),
    // Like the hosted gateway, the server answers API calls only with an apikey.
    health: { kind: "http", url: stackUrls().authHealth, headers: secrets ? { apikey: secrets.anon_key } : {} },
    startTimeoutMs: 30_000,
    stopTimeoutMs: 10_000,
    prepare: async (logger) => {
      await mkdir(paths.authDir, { recursive: true });
      const { ensureSigningKeys } = await loadAuthKeys();
      logger.step("Checking the Auth server's signing keys");
      await ensureSigningKeys(paths.signingKeysFile);
    },
  };
}
