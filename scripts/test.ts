import { ensureAptPackages } from "../stack/apt.ts";
import { consoleLogger, formatError } from "../stack/log.ts";
import { logFile, repoRoot, stackPaths } from "../stack/paths.ts";
import { countTests, projectPath, run } from "./run.ts";
import { testPackages } from "./test-packages.ts";

/**
 * `npm test`: every suite, in order, against the real local stack — types and lint, unit tests (Vitest), database tests
 * (pgTAP), the Auth server's contract and integration tests, a copy of the app without stack/ installed and
 * built, then the app's production build and its Playwright end-to-end tests in Debian's Chromium. Every suite
 * runs even if an earlier one fails. First come the Debian packages the suites need (Chromium, PostgreSQL 15,
 * pgTAP): installed with apt as root; anyone else gets the exact command and no suite runs.
 */
process.env.PATH = projectPath();
process.env.NEXT_TELEMETRY_DISABLED = "1";
const node = process.execPath;

try {
  await ensureAptPackages(testPackages(process.env), {
    what: "npm test (Chromium, PostgreSQL 15, pgTAP)",
    isRoot: process.getuid?.() === 0,
    log: consoleLogger,
    logPath: logFile(stackPaths(repoRoot()), "install"),
  });
} catch (error) {
  console.error(formatError(error));
  console.error("No suite ran.");
  process.exit(1);
}

type Step = { name: string; command: string; args: string[]; required?: boolean; counts?: boolean };

const steps: Step[] = [
  { name: "local stack", command: node, args: ["stack/cli.ts", "start"], required: true },
  {
    name: "types and lint (tsc, ESLint)",
    command: "sh",
    args: ["-c", "tsc --noEmit -p tsconfig.json && tsc --noEmit -p stack/tsconfig.json && eslint --max-warnings=0 ."],
  },
  { name: "unit and stack tests (Vitest)", command: node, args: ["node_modules/vitest/vitest.mjs", "run"], counts: true },
  { name: "database tests (pgTAP)", command: node, args: ["stack/pgtap.ts"], counts: true },
  {
    name: "Auth server contract and client tests",
    command: node,
    args: ["node_modules/vitest/vitest.mjs", "run", "--config", "stack/vitest.integration.config.ts"],
    counts: true,
  },
  {
    name: "the app without the local stack (npm ci, next build)",
    command: node,
    args: ["node_modules/vitest/vitest.mjs", "run", "--config", "scripts/vitest.deploy.config.ts"],
    counts: true,
  },
  { name: "production build", command: node, args: ["node_modules/next/dist/bin/next", "build"], required: true },
  { name: "end-to-end tests (Playwright)", command: node, args: ["node_modules/@playwright/test/cli.js", "test"], counts: true },
];

const results: { name: string; ok: boolean; seconds: number }[] = [];
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const step of steps) {
  console.log(`\n━━ ${step.name} ━━`);
  const started = Date.now();
  const child = run(step.command, step.args, { capture: step.counts });
  const code = await child;
  if (step.counts && child.output) {
    const counted = countTests(await child.output);
    totals.passed += counted.passed;
    totals.failed += counted.failed;
    totals.skipped += counted.skipped;
  }
  results.push({ name: step.name, ok: code === 0, seconds: (Date.now() - started) / 1000 });
  if (code !== 0 && step.required) {
    console.error(`\n${step.name} failed; the remaining suites need it.`);
    break;
  }
}

console.log("\n━━ summary ━━");
for (const r of results) console.log(`${r.ok ? "✔" : "✘"} ${r.name} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(failed === 0 && results.length === steps.length ? 0 : 1);
