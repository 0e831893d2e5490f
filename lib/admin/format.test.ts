import { describe, expect, it } from "vitest";
import { auditChanges, compactValue, formatAdminTime, toSearchParams } from "./format";

describe("admin formatting", () => {
  it("prints times in UTC", () => {
    expect(formatAdminTime("2026-12-05T08:03:12.353Z")).toBe("5 Dec 2026, 08:03 UTC");
    expect(formatAdminTime(null)).toBe("—");
    expect(formatAdminTime("garbage")).toBe("—");
  });

  it("lists what an audit row changed, without the reason", () => {
    expect(auditChanges({ role: "user" }, { role: "support", reason: "promotion" })).toEqual([{ key: "role", before: "user", after: "support" }]);
    expect(auditChanges({ banned_until: null }, { ban_duration: "24h", sessions_revoked: 2 })).toEqual([
      { key: "banned_until", before: "null", after: null },
      { key: "ban_duration", before: null, after: "24h" },
      { key: "sessions_revoked", before: null, after: "2" },
    ]);
    expect(auditChanges(null, null)).toEqual([]);
    expect(compactValue("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(compactValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it("turns Next.js search params into URLSearchParams, repeated keys kept", () => {
    expect(toSearchParams({ q: "ada", role: ["a", "b"], none: undefined }).toString()).toBe("q=ada&role=a&role=b");
  });
});
