import { describe, expect, it } from "vitest";
import { ANCHOR_FILTERS, DEFAULT_ROUNDS, parseUserSearchArgs, roundOrder, SEARCHES, usersToSeed } from "./user-search.ts";

describe("roundOrder", () => {
  it("holds every search and every anchor call once", () => {
    for (const round of [0, 1, 7, 14, 15, 100]) {
      const order = roundOrder(round);
      const searches = order.filter((t) => t.kind === "search").map((t) => t.index);
      const anchors = order.filter((t) => t.kind === "anchor").map((t) => t.index);
      expect(searches.toSorted((a, b) => a - b)).toEqual(SEARCHES.map((_, i) => i));
      expect(anchors.toSorted((a, b) => a - b)).toEqual(ANCHOR_FILTERS.map((_, i) => i));
    }
  });

  it("spreads the anchor calls between the searches", () => {
    const kinds = roundOrder(0, 10, 5).map((t) => t.kind[0]).join("");
    expect(kinds).toBe("ssassassassassa");
    expect(roundOrder(0, 4, 2).map((t) => `${t.kind[0]}${t.index}`)).toEqual(["s0", "s1", "a0", "s2", "s3", "a1"]);
  });

  it("starts one place later each round, and comes back round after a full turn", () => {
    const first = roundOrder(0, 4, 2);
    expect(roundOrder(1, 4, 2)).toEqual([...first.slice(1), first[0]]);
    expect(roundOrder(6, 4, 2)).toEqual(first);
    // Warm-up rounds are numbered below zero.
    expect(roundOrder(-1, 4, 2)).toEqual([first.at(-1), ...first.slice(0, -1)]);
  });

  it("copes with more anchors than searches, and with none", () => {
    expect(roundOrder(0, 1, 3).map((t) => t.kind)).toEqual(["search", "anchor", "anchor", "anchor"]);
    expect(roundOrder(0, 2, 0).map((t) => t.kind)).toEqual(["search", "search"]);
    expect(roundOrder(3, 0, 0)).toEqual([]);
  });
});

describe("usersToSeed", () => {
  it("tops the directory up to the size", () => {
    expect(usersToSeed(515, 1_000)).toBe(485);
    expect(usersToSeed(1_000, 100_000)).toBe(99_000);
    expect(usersToSeed(1_000, 1_000)).toBe(0);
  });

  it("refuses a directory already larger than the size, and nonsense", () => {
    expect(() => usersToSeed(1_001, 1_000)).toThrow(/holds 1,001 users already.*--remove/);
    expect(() => usersToSeed(-1, 1_000)).toThrow(/not a user count/);
    expect(() => usersToSeed(1.5, 1_000)).toThrow(/not a user count/);
  });
});

describe("parseUserSearchArgs", () => {
  it("takes rounds as an option or a number, and --scale", () => {
    expect(parseUserSearchArgs([])).toEqual({ rounds: DEFAULT_ROUNDS, scale: false });
    expect(parseUserSearchArgs(["12"])).toEqual({ rounds: 12, scale: false });
    expect(parseUserSearchArgs(["--rounds", "5", "--scale"])).toEqual({ rounds: 5, scale: true });
    expect(parseUserSearchArgs(["--scale", "--rounds=40"])).toEqual({ rounds: 40, scale: true });
  });

  it("refuses what it does not know", () => {
    expect(() => parseUserSearchArgs(["--rounds"])).toThrow(/whole number/);
    expect(() => parseUserSearchArgs(["0"])).toThrow(/whole number/);
    expect(() => parseUserSearchArgs(["2.5"])).toThrow(/whole number/);
    expect(() => parseUserSearchArgs(["--rounds=many"])).toThrow(/whole number/);
    expect(() => parseUserSearchArgs(["--fast"])).toThrow(/unknown option --fast/);
  });
});
