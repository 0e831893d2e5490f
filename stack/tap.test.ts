import { describe, expect, it } from "vitest";
import { judgeTap, parseTap } from "./tap.ts";

describe("parseTap / judgeTap", () => {
  it("counts passes and failures with their diagnostics", () => {
    const tap = parseTap(
      ["1..3", "ok 1 - a", "not ok 2 - b", "# Failed test 2: \"b\"", "#   have: 1", "ok 3 - c # SKIP why"].join("\n"),
    );
    expect(tap.planned).toBe(3);
    expect(tap.tests.map((t) => [t.number, t.ok, t.description, t.directive])).toEqual([
      [1, true, "a", null],
      [2, false, "b", null],
      [3, true, "c", "skip"],
    ]);
    expect(tap.tests[1]!.diagnostics).toEqual(['# Failed test 2: "b"', "#   have: 1"]);
    expect(judgeTap(tap, 0)).toEqual({ passed: 2, failed: 1, problems: [] });
  });

  it("does not fail on TODO tests", () => {
    expect(judgeTap(parseTap("1..1\nnot ok 1 - later # TODO not yet"), 0)).toMatchObject({ passed: 1, failed: 0 });
  });

  it("counts planned tests that never ran as failures", () => {
    const verdict = judgeTap(parseTap("1..4\nok 1\nok 2"), 3);
    expect(verdict.failed).toBe(2);
    expect(verdict.problems).toEqual(["planned 4 tests but ran 2", "psql exited with code 3"]);
  });

  it("fails a file without a plan, with extra tests or with a psql error", () => {
    expect(judgeTap(parseTap("ok 1"), 0).failed).toBe(1);
    expect(judgeTap(parseTap("1..1\nok 1\nok 2"), 0).failed).toBe(1);
    expect(judgeTap(parseTap("1..1\nok 1"), 1).failed).toBe(1);
  });
});
