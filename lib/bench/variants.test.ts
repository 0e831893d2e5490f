import { describe, expect, it } from "vitest";
import { benchRoutesEnabled, isBenchVariant } from "./variants";

describe("bench routes", () => {
  it("exist only with ENABLE_BENCH_ROUTES=1", () => {
    expect(benchRoutesEnabled({ ENABLE_BENCH_ROUTES: "1" })).toBe(true);
    expect(benchRoutesEnabled({})).toBe(false);
    expect(benchRoutesEnabled({ ENABLE_BENCH_ROUTES: "true" })).toBe(false);
    expect(benchRoutesEnabled({ ENABLE_BENCH_ROUTES: "0" })).toBe(false);
  });

  it("know their three variants", () => {
    expect(["session", "no-auth", "get-user"].every(isBenchVariant)).toBe(true);
    expect(isBenchVariant("admin")).toBe(false);
    expect(isBenchVariant(undefined)).toBe(false);
  });
});
