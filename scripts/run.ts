import { spawn } from "node:child_process";

/** Runs a command with inherited stdio; resolves with its exit code. */
export function run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...opts.env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
  });
}

/** `node_modules/.bin` first, so every child runs on the project's Node 24. */
export function projectPath(): string {
  return `${process.cwd()}/node_modules/.bin:${process.env.PATH ?? ""}`;
}
