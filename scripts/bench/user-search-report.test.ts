import { describe, expect, it } from "vitest";
import type { UserSearchBench, UserSearchMeasurement } from "./user-search.ts";
import {
  formatSeed,
  formatUserSearchConsole,
  summarizeUserSearch,
  userSearchMarkdown,
  userSearchMissed,
  userSearchTargetRows,
} from "./user-search-report.ts";

function measurement(size: number, search: [number, number], anchor: [number, number]): UserSearchMeasurement {
  return {
    size,
    users: size,
    rounds: 30,
    search: { samples: 300, p50: search[0], p95: search[1] },
    anchor: { samples: 150, p50: anchor[0], p95: anchor[1] },
    perSearch: [{ label: "everyone, newest first", p50: search[0] }],
    perAnchor: [{ filter: "gr", p50: anchor[0] }],
  };
}

const bench = (large: UserSearchMeasurement, uncompacted: string[] = []): UserSearchBench => ({
  measurements: [measurement(1_000, [2, 4], [3, 5]), large],
  seeds: [
    { toSize: 1_000, users: 485, seconds: 0.2 },
    { toSize: 100_000, users: 99_000, seconds: 16.5 },
  ],
  uncompacted,
});

describe("summarizeUserSearch", () => {
  it("divides the large size's p50 and p95 by the small size's, for the search and the anchor", () => {
    const s = summarizeUserSearch(bench(measurement(100_000, [3, 9], [60, 100])), 2);
    expect(s.search).toEqual({ p50: 1.5, p95: 2.25 });
    expect(s.anchor).toEqual({ p50: 20, p95: 20 });
    expect(s.met).toEqual({ p50: true, p95: false });
    expect(s.largeSeed).toEqual({ toSize: 100_000, users: 99_000, seconds: 16.5 });
  });

  it("has no seed time when the large size needed no seeding", () => {
    const b = bench(measurement(100_000, [3, 6], [6, 10]));
    b.seeds = b.seeds.slice(0, 1);
    expect(summarizeUserSearch(b, 2).largeSeed).toBeNull();
  });

  it("needs two sizes", () => {
    const b = bench(measurement(100_000, [3, 6], [6, 10]));
    b.measurements = b.measurements.slice(0, 1);
    expect(() => summarizeUserSearch(b, 2)).toThrow(/two sizes/);
  });

  it("never meets a target without a result", () => {
    const s = summarizeUserSearch(bench(measurement(100_000, [Number.NaN, Number.NaN], [6, 10])), 2);
    expect(s.met).toEqual({ p50: false, p95: false });
    expect(userSearchMissed(s)).toHaveLength(2);
  });
});

describe("verdicts", () => {
  it("names each missed target, and nothing when both are met", () => {
    const missed = summarizeUserSearch(bench(measurement(100_000, [5, 6], [60, 100])), 2);
    expect(userSearchMissed(missed)).toEqual(["user search p50 at 100,000 / 1,000 users is 2.50× (target ≤ 2.00×)"]);
    expect(userSearchTargetRows(missed)).toEqual([
      ["user search p50, 100,000 / 1,000 users ≤ 2.00×", "2.50× — **missed**"],
      ["user search p95, 100,000 / 1,000 users ≤ 2.00×", "1.50× — met"],
    ]);
    const met = summarizeUserSearch(bench(measurement(100_000, [4, 8], [60, 100])), 2);
    expect(userSearchMissed(met)).toEqual([]);
  });
});

describe("formatting", () => {
  it("writes a seed with its rate", () => {
    expect(formatSeed({ users: 99_000, seconds: 16.5 })).toBe("99,000 users in 16.5 s (6,000 users/s)");
    expect(formatSeed({ users: 0, seconds: 0 })).toBe("0 users in 0.0 s");
  });

  it("puts the figures, the anchor, the seed time and the verdicts in the section", () => {
    const s = summarizeUserSearch(bench(measurement(100_000, [3, 9], [60, 100])), 2);
    const md = userSearchMarkdown(s, 10, 5);
    expect(md).toMatch(/^## Admin user search: 1,000 and 100,000 users/);
    expect(md).toContain("| app: `private.search_users_page()` | 2.00 ms | 4.00 ms | 3.00 ms | 9.00 ms | 1.50× — met | 2.25× — **missed** |");
    expect(md).toContain("| anchor: Auth `GET /admin/users?filter=` | 3.00 ms | 5.00 ms | 60.00 ms | 100.00 ms | 20.00× | 20.00× |");
    expect(md).toContain("| everyone, newest first | 2.00 ms | 3.00 ms | 1.50× |");
    expect(md).toContain("| anchor, `filter=gr` | 3.00 ms | 60.00 ms | 20.00× |");
    expect(md).toContain("from 1,000 to 100,000 users in the directory: 99,000 users in 16.5 s");
    expect(md).toContain("all seeding in the run: 99,485 users in 16.7 s");
    expect(md).not.toContain("not compacted");
  });

  it("names tables the clean-up could not compact", () => {
    const s = summarizeUserSearch(bench(measurement(100_000, [3, 6], [6, 10]), ["auth.sessions"]), 2);
    expect(userSearchMarkdown(s, 10, 5)).toContain("were not compacted: `auth.sessions`");
    expect(formatUserSearchConsole(bench(measurement(100_000, [3, 6], [6, 10]), ["auth.sessions"]), 2)).toContain(
      "not compacted (in use): auth.sessions",
    );
  });

  it("prints each size, then the ratios with their verdicts", () => {
    const text = formatUserSearchConsole(bench(measurement(100_000, [5, 6], [60, 100])), 2);
    expect(text).toContain("users in the directory: 1,000");
    expect(text).toContain("users in the directory: 100,000");
    expect(text).toContain("user search 100,000 / 1,000: p50 2.50× (target ≤ 2.00×: MISSED), p95 1.50× (met)");
    expect(text).toContain("anchor      100,000 / 1,000: p50 20.00× (3.00 ms → 60.00 ms)");
    expect(text).toContain("seed 1,000 → 100,000 users: 99,000 users in 16.5 s (6,000 users/s)");
  });
});
