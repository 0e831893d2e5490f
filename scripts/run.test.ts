import { describe, expect, it } from "vitest";
import { countTests } from "./run.ts";

describe("countTests", () => {
  it("reads Vitest's summary", () => {
    expect(countTests("\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m3 failed\u001b[39m | \u001b[32m284 passed\u001b[39m (287)")).toEqual({ passed: 284, failed: 3, skipped: 0 });
    expect(countTests(" Test Files  5 passed (5)\n      Tests  47 passed (47)\n")).toEqual({ passed: 47, failed: 0, skipped: 0 });
  });
  it("reads the pgTAP runner's closing line", () => {
    expect(countTests("✔ a.test.sql: 29 passed, 0 failed\n329 passed, 2 failed\n")).toEqual({ passed: 329, failed: 2, skipped: 0 });
  });
  it("reads Playwright's summary", () => {
    expect(countTests("  2 failed\n    [chromium] › x\n  1 skipped\n  43 passed (1.2m)\n")).toEqual({ passed: 43, failed: 2, skipped: 1 });
  });
  it("finds nothing in other output", () => {
    expect(countTests("built in 3 s")).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});
