import { describe, expect, it } from "vitest";
import { formatMs, formatRatio, latency, markdownTable, percentile, ratio, withinTarget } from "./stats.ts";

describe("percentile", () => {
  it("is the nearest rank: the smallest value with at least p % at or below it", () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 95)).toBe(10);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
  });

  it("is no result for no values", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("latency", () => {
  it("sorts before taking p50 and p95, and counts the samples", () => {
    expect(latency([9, 1, 5, 3, 7])).toEqual({ samples: 5, p50: 5, p95: 9 });
    const empty = latency([]);
    expect(empty.samples).toBe(0);
    expect(empty.p50).toBeNaN();
  });

  it("leaves its input as it was", () => {
    const values = [3, 1, 2];
    latency(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("ratio and target", () => {
  it("divides positive finite figures only", () => {
    expect(ratio(3, 1.5)).toBe(2);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(0, 1)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
    expect(ratio(1, Number.POSITIVE_INFINITY)).toBeNaN();
  });

  it("meets a bound at or below it, and never without a result", () => {
    expect(withinTarget(2, 2)).toBe(true);
    expect(withinTarget(1.99, 2)).toBe(true);
    expect(withinTarget(2.01, 2)).toBe(false);
    expect(withinTarget(Number.NaN, 2)).toBe(false);
  });
});

describe("formatting", () => {
  it("writes ratios and milliseconds, and a dash for no result", () => {
    expect(formatRatio(1.2345)).toBe("1.23×");
    expect(formatRatio(1.2346, 3)).toBe("1.235×");
    expect(formatRatio(Number.NaN)).toBe("—");
    expect(formatMs(4.2)).toBe("4.20 ms");
    expect(formatMs(4.26, 1)).toBe("4.3 ms");
    expect(formatMs(Number.NaN)).toBe("—");
  });

  it("writes a Markdown table", () => {
    expect(markdownTable(["a", "b"], [["1", "2"], ["3", "4"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |");
    expect(markdownTable(["a"], [])).toBe("| a |\n| --- |");
  });
});
