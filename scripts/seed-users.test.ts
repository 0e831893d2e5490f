import { describe, expect, it } from "vitest";
import { isLocalDatabaseUrl, parseArgs, seedDomain } from "./seed-users.ts";

describe("seed-users arguments", () => {
  it("takes a count, with digit separators, and the default domain", () => {
    expect(parseArgs(["100000"])).toEqual({ remove: false, count: 100_000, domain: "seed.test" });
    expect(parseArgs(["100_000"])).toMatchObject({ count: 100_000 });
  });

  it("puts a tag in the domain, and removes by domain", () => {
    expect(parseArgs(["500", "--tag", "int-abc1"])).toEqual({ remove: false, count: 500, domain: "int-abc1.seed.test" });
    expect(parseArgs(["--remove", "--tag=int-abc1"])).toEqual({ remove: true, count: 0, domain: "int-abc1.seed.test" });
    expect(parseArgs(["--remove"])).toEqual({ remove: true, count: 0, domain: "seed.test" });
    expect(seedDomain("bench")).toBe("bench.seed.test");
    expect(seedDomain(null)).toBe("seed.test");
  });

  it("refuses what it cannot do", () => {
    expect(() => parseArgs([])).toThrow(/number of users/);
    expect(() => parseArgs(["0"])).toThrow(/whole number/);
    expect(() => parseArgs(["1.5"])).toThrow(/whole number/);
    expect(() => parseArgs(["2000000"])).toThrow(/whole number/);
    expect(() => parseArgs(["10", "20"])).toThrow(/number of users/);
    expect(() => parseArgs(["--remove", "10"])).toThrow(/no count/);
    expect(() => parseArgs(["10", "--tag", "Has.Dots"])).toThrow(/not a tag/);
    expect(() => parseArgs(["10", "--tag"])).toThrow(/needs a value/);
    expect(() => parseArgs(["10", "--force"])).toThrow(/unknown option/);
  });
});

describe("seed-users database", () => {
  it("accepts loopback databases only", () => {
    expect(isLocalDatabaseUrl("postgresql://postgres:postgres@127.0.0.1:54322/postgres")).toBe(true);
    expect(isLocalDatabaseUrl("postgres://postgres@localhost/postgres")).toBe(true);
    expect(isLocalDatabaseUrl("postgres://postgres@[::1]:5432/postgres")).toBe(true);
    expect(isLocalDatabaseUrl("postgresql://postgres:pw@db.abcdefgh.supabase.co:5432/postgres")).toBe(false);
    expect(isLocalDatabaseUrl("postgresql://postgres:pw@127.0.0.1.example.com/postgres")).toBe(false);
    expect(isLocalDatabaseUrl("postgresql://postgres:pw@10.0.0.5/postgres")).toBe(false);
    expect(isLocalDatabaseUrl("not a url")).toBe(false);
  });
});
