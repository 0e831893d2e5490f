import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { stackUrls } from "./env.ts";
import { formatError, StackError } from "./log.ts";
import { repoRoot, stackPaths } from "./paths.ts";
import { PG_BIN } from "./postgres/install.ts";
import { checkHealth } from "./supervisor.ts";
import { judgeTap, parseTap } from "./tap.ts";

// `npm run test:db`: every supabase/tests/database/*.test.sql through psql against the local database.
// Each file wraps itself in begin/rollback; this runner only executes and judges the TAP it prints.

type PsqlRun = { code: number; stdout: string; stderr: string };

function psql(file: string, url: string): Promise<PsqlRun> {
  const binary = existsSync(`${PG_BIN}/psql`) ? `${PG_BIN}/psql` : "psql";
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-f", file, url], {
      // Notices such as "extension already exists" are noise between TAP lines.
      env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const indent = (text: string, prefix = "    ") =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");

async function main(): Promise<number> {
  const paths = stackPaths(repoRoot());
  const url = stackUrls().db;
  const filter = process.argv.slice(2);
  const files = (existsSync(paths.dbTestsDir) ? await readdir(paths.dbTestsDir) : [])
    .filter((f) => f.endsWith(".test.sql") && (filter.length === 0 || filter.some((f2) => f.includes(f2))))
    .sort();
  if (!(await checkHealth({ kind: "postgres", url }))) {
    throw new StackError("the local database is not running (127.0.0.1:54322)", {
      fix: "npm run stack -- start",
    });
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const path = join(paths.dbTestsDir, file);
    const run = await psql(path, url);
    const tap = parseTap(run.stdout);
    const verdict = judgeTap(tap, run.code);
    passed += verdict.passed;
    failed += verdict.failed;
    const label = relative(paths.root, path);
    const mark = verdict.failed === 0 ? "✔" : "✖";
    console.log(`${mark} ${label}: ${verdict.passed} passed, ${verdict.failed} failed`);
    for (const test of tap.tests) {
      if (test.ok || test.directive === "todo") continue;
      console.log(`    not ok ${test.number} - ${test.description}`);
      if (test.diagnostics.length) console.log(indent(test.diagnostics.join("\n"), "      "));
    }
    for (const problem of verdict.problems) console.log(`    ${problem}`);
    if (verdict.failed > 0 && tap.diagnostics.length) console.log(indent(tap.diagnostics.join("\n")));
    if (run.code !== 0 && run.stderr.trim()) console.log(indent(run.stderr));
  }
  if (files.length === 0) console.log(`no *.test.sql files in ${relative(paths.root, paths.dbTestsDir)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(formatError(error));
  process.exitCode = 1;
}
