import type { StackPaths } from "../paths.ts";
import type { Secrets } from "../secrets.ts";
import type { Logger } from "../log.ts";

export type Command = {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
};

export type HealthCheck =
  | { kind: "http"; url: string; headers?: Record<string, string> }
  | { kind: "postgres"; url: string };

/**
 * How a service runs:
 * - `process`: spawned detached by the stack, output appended to its log, pid written to its pid file;
 *   stopped with SIGTERM, then SIGKILL after `stopTimeoutMs`.
 * - `daemon`: `start` forks the server itself and returns once it is up (pg_ctl -w); the live pid comes
 *   from `pidFile` (first line); stopped with `stop`.
 * `identity` is a string the process's command line must contain: a pid file that outlived its process
 * may point at an unrelated process that reused the pid, which must never be signalled.
 */
export type RunSpec =
  | ({ kind: "process"; identity: string } & Command)
  | { kind: "daemon"; identity: string; start: Command; stop: Command; pidFile: string };

export type ServiceDescription = {
  name: string;
  dependsOn: string[];
  port: number;
  run: RunSpec;
  logFile: string;
  pidFile: string;
  health: HealthCheck;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** Before the start (install, initialise, create keys); runs only when the service is not running. */
  prepare?: (log: Logger) => Promise<void>;
  /** After the service is healthy, on every start, running or not (bootstrap, migrations). */
  afterStart?: (log: Logger) => Promise<void>;
};

export type StackContext = {
  paths: StackPaths;
  /** null when `.stack/secrets.json` does not exist yet (stop, status, logs never create it). */
  secrets: Secrets | null;
  isRoot: boolean;
  nodePath: string;
};
