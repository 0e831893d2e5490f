export type TapTest = {
  ok: boolean;
  number: number;
  description: string;
  directive: "skip" | "todo" | null;
  /** `#` lines that follow the test line (pgTAP's have/want explanations). */
  diagnostics: string[];
};

export type TapResult = {
  planned: number | null;
  tests: TapTest[];
  /** `#` lines not attached to a test (pgTAP's plan summary from finish()). */
  diagnostics: string[];
  bailOut: string | null;
};

const TEST_LINE = /^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(skip|todo)\b\s*(.*))?$/i;

export function parseTap(output: string): TapResult {
  const result: TapResult = { planned: null, tests: [], diagnostics: [], bailOut: null };
  let last: TapTest | null = null;
  for (const raw of output.split("\n")) {
    const line = raw.trimEnd();
    const plan = /^1\.\.(\d+)/.exec(line.trim());
    if (plan) {
      result.planned = Number(plan[1]);
      last = null;
      continue;
    }
    const test = TEST_LINE.exec(line.trim());
    if (test) {
      last = {
        ok: test[1]!.toLowerCase() === "ok",
        number: test[2] ? Number(test[2]) : result.tests.length + 1,
        description: test[3] ?? "",
        directive: test[4] ? (test[4].toLowerCase() as "skip" | "todo") : null,
        diagnostics: [],
      };
      result.tests.push(last);
      continue;
    }
    if (/^bail out!/i.test(line.trim())) {
      result.bailOut = line.trim().slice("bail out!".length).trim();
      continue;
    }
    if (line.trim().startsWith("#")) {
      (last ? last.diagnostics : result.diagnostics).push(line.trim());
    }
  }
  return result;
}

export type TapVerdict = { passed: number; failed: number; problems: string[] };

/**
 * Counts one file's tests. A test that failed (not a TODO), a planned test that never ran, a missing
 * or exceeded plan, a bail-out and a psql error all count as failures, so none can pass silently.
 */
export function judgeTap(result: TapResult, exitCode: number): TapVerdict {
  const problems: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const test of result.tests) {
    if (test.ok || test.directive === "todo") passed++;
    else failed++;
  }
  const ran = result.tests.length;
  if (result.planned === null) {
    problems.push(`no plan (select plan(n)) in the output`);
    failed++;
  } else if (ran < result.planned) {
    problems.push(`planned ${result.planned} tests but ran ${ran}`);
    failed += result.planned - ran;
  } else if (ran > result.planned) {
    problems.push(`planned ${result.planned} tests but ran ${ran}`);
    failed++;
  }
  if (result.bailOut !== null) {
    problems.push(`bailed out: ${result.bailOut}`);
    if (failed === 0) failed++;
  }
  if (exitCode !== 0) {
    problems.push(`psql exited with code ${exitCode}`);
    if (failed === 0) failed++;
  }
  return { passed, failed, problems };
}
