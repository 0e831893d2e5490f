import { describe, expect, it } from "vitest";
import { auditFilter } from "./api/admin-audit.ts";
import { banUntil, mergeGoMetadata, parseSort, validateEmail, validatePhone } from "./api/admin-users.ts";
import { parseGoQuery } from "./pagination.ts";

describe("parseSort", () => {
  it("sorts by created_at, newest first unless asked", () => {
    expect(parseSort(parseGoQuery(""))).toEqual(["desc"]);
    expect(parseSort(parseGoQuery("sort=created_at"))).toEqual(["desc"]);
    expect(parseSort(parseGoQuery("sort=created_at+ASC"))).toEqual(["asc"]);
    expect(parseSort(parseGoQuery("sort=created_at%20asc&sort=created_at%20desc"))).toEqual(["asc", "desc"]);
  });

  it("rejects other fields and directions with Supabase Auth's messages", () => {
    expect(() => parseSort(parseGoQuery("sort=email"))).toThrow("Bad Sort Parameters: bad field for sort 'email'");
    expect(() => parseSort(parseGoQuery("sort="))).toThrow("bad field for sort ''");
    expect(() => parseSort(parseGoQuery("sort=created_at+up"))).toThrow(
      "Bad Sort Parameters: bad direction for sort 'up', only 'asc' and 'desc' allowed",
    );
  });
});

describe("banUntil", () => {
  const now = Date.UTC(2030, 0, 1);

  it("bans for a Go duration and lifts the ban with none or zero", () => {
    expect(banUntil("24h", now)).toEqual({ until: new Date(now + 24 * 3600 * 1000) });
    expect(banUntil("1h30m", now)).toEqual({ until: new Date(now + 90 * 60 * 1000) });
    expect(banUntil("none", now)).toEqual({ until: null });
    expect(banUntil("0s", now)).toEqual({ until: null });
    expect(banUntil("", now)).toBeNull();
  });

  it("rejects other values as validation_failed", () => {
    expect(() => banUntil("forever")).toThrow('invalid format for ban duration: time: invalid duration "forever"');
    expect(() => banUntil("2d")).toThrow('invalid format for ban duration: time: unknown unit "d" in duration "2d"');
  });
});

describe("mergeGoMetadata", () => {
  it("merges key by key and removes keys set to null", () => {
    expect(mergeGoMetadata({ provider: "google", providers: ["google"] }, { role: "admin" })).toEqual({
      provider: "google",
      providers: ["google"],
      role: "admin",
    });
    expect(mergeGoMetadata({ a: 1, b: 2 }, { a: null })).toEqual({ b: 2 });
    expect(mergeGoMetadata(null, { a: null })).toEqual({ a: null });
  });
});

describe("email and phone validation", () => {
  it("lower-cases valid emails and rejects malformed ones", () => {
    expect(validateEmail("Admin-A@Example.com")).toBe("admin-a@example.com");
    expect(() => validateEmail("nope")).toThrow("Unable to validate email address: invalid format");
    expect(() => validateEmail(`${"a".repeat(250)}@x.com`)).toThrow("An email address is too long");
  });

  it("normalizes E.164 phone numbers", () => {
    expect(validatePhone("+1 555 123 4567")).toBe("15551234567");
    expect(() => validatePhone("+0123")).toThrow("Invalid phone number format (E.164 required)");
  });
});

describe("auditFilter", () => {
  it("maps author, action and type to payload keys", () => {
    expect(auditFilter("author:audit user")).toEqual({ columns: ["actor_username", "actor_name"], value: "audit user" });
    expect(auditFilter("action:")).toEqual({ columns: ["action"], value: "" });
    expect(auditFilter("type:a:b")).toEqual({ columns: ["log_type"], value: "a:b" });
    expect(auditFilter("")).toEqual({ columns: [], value: "" });
  });

  it("rejects other scopes and a missing colon", () => {
    expect(() => auditFilter("action")).toThrow("Invalid query scope: action");
    expect(() => auditFilter("user_id:x")).toThrow("Invalid query scope: user_id:x");
    expect(() => auditFilter("constructor:x")).toThrow("Invalid query scope: constructor:x");
  });
});
