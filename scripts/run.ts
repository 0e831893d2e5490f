import { spawn } from "node:child_process";

/**
 * Runs a command with its output passed through; resolves with its exit code and (when `capture` is set)
 * what it printed, so the caller can read the runner's own summary.
 */
export function run(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; capture?: boolean } = {},
): Promise<number> & { output?: Promise<string> } {
  let collected = "";
  const done = new Promise<number>((resolve) => {
    const child = spawn(command, args, {
      stdio: opts.capture ? ["inherit", "pipe", "pipe"] : "inherit",
      env: { ...process.env, ...opts.env },
    });
    if (opts.capture) {
      child.stdout?.on("data", (chunk: Buffer) => {
        process.stdout.write(chunk);
        collected += chunk.toString();
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        process.stderr.write(chunk);
        collected += chunk.toString();
      });
    }
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
  });
  return Object.assign(done, { output: done.then(() => collected) });
}

/** `node_modules/.bin` first, so every child runs on the project's Node 24. */
export function projectPath(): string {
  return `${process.cwd()}/node_modules/.bin:${process.env.PATH ?? ""}`;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Test counts from a runner's closing lines: Vitest (`Tests  3 failed | 284 passed (287)`), the pgTAP runner
 * (`329 passed, 0 failed`) and Playwright (`46 passed (53.6s)`, `2 failed`, `1 skipped`).
 */
export function countTests(output: string): { passed: number; failed: number; skipped: number } {
  const text = output.replace(ANSI, "");
  const vitest = /^\s*Tests\s+(.*)$/m.exec(text)?.[1];
  const pick = (line: string, word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  if (vitest) return { passed: pick(vitest, "passed"), failed: pick(vitest, "failed"), skipped: pick(vitest, "skipped") };
  const tap = [...text.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
  if (tap) return { passed: Number(tap[1]), failed: Number(tap[2]), skipped: 0 };
  const lines = text.split("\n").map((l) => l.trim());
  const find = (word: string) => {
    const line = [...lines].reverse().find((l) => new RegExp(`^\\d+ ${word}\\b`).test(l));
    return line ? Number(/^(\d+)/.exec(line)?.[1] ?? 0) : 0;
  };
  return { passed: find("passed"), failed: find("failed"), skipped: find("skipped") };
}
