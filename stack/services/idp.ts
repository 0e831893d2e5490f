import { join } from "node:path";
import { idpEnv, PORTS, stackUrls } from "../env.ts";
import { logFile, pidFile } from "../paths.ts";
import type { ServiceDescription, StackContext } from "./types.ts";

/** The Google and Apple sign-in emulators on 127.0.0.1:54325. */
export function describeIdp({ paths, secrets, nodePath }: StackContext): ServiceDescription {
  const main = join(paths.root, "stack", "idp", "main.ts");
  return {
    name: "idp",
    dependsOn: [],
    port: PORTS.idp,
    run: {
      kind: "process",
      identity: main,
      command: nodePath,
      args: [main],
      env: secrets ? idpEnv({ paths, secrets }) : {},
      cwd: paths.root,
    },
    logFile: logFile(paths, "idp"),
    pidFile: pidFile(paths, "idp"),
    health: { kind: "http", url: stackUrls().googleDiscovery },
    startTimeoutMs: 30_000,
    stopTimeoutMs: 10_000,
  };
}
