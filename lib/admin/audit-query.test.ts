import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  auditExportHref,
  auditFiltersToParams,
  auditHref,
  auditInputTime,
  auditRange,
  decodeAuditCursor,
  encodeAuditCursor,
  parseAuditTime,
  readAuditApiQuery,
  readAuditExportQuery,
  readAuditPageFilters,
  type AuditFilters,
} from "./audit-query";

const params = (query: string) => new URLSearchParams(query);
const ID = "0411f0dd-1004-4fdf-9315-2e0ead5216dc";

function refused(read: (p: URLSearchParams) => unknown, query: string): string {
  try {
    read(params(query));
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_input");
    return (error as AppError).message;
  }
  throw new Error(`accepted ${query}`);
}

describe("audit log URL ↔ filters", () => {
  it("round-trips the filters, in one order, empty ones left out", () => {
    const filters: AuditFilters = { actor: "ada@example.com", target: ID, action: "user.ban", from: "2026-12-01", to: "2026-12-05T14:30" };
    const url = auditFiltersToParams(filters);
    expect(url.toString()).toBe(`actor=ada%40example.com&target=${ID}&action=user.ban&from=2026-12-01&to=2026-12-05T14%3A30`);
    expect(readAuditPageFilters(url)).toEqual({ filters, dropped: [] });
    expect(readAuditExportQuery(url)).toEqual(filters);
    expect(readAuditApiQuery(url)).toEqual({ filters, limit: 25 });
    expect(auditHref({})).toBe("/admin/audit");
    expect(auditExportHref({ action: "role.assign" })).toBe("/api/admin/audit/export.csv?action=role.assign");
    expect(readAuditPageFilters(params("actor=&target=%20&action=&from=&to="))).toEqual({ filters: {}, dropped: [] });
  });

  it("the page drops what it does not understand", () => {
    expect(readAuditPageFilters(params("actor=nobody&action=User.Ban&from=2026-02-30&x=1&to=2026-12-05&to=2026-12-06&target=ada@example.com"))).toEqual({
      filters: { target: "ada@example.com" },
      dropped: ["actor", "action", "from", "x", "to"],
    });
  });

  it("the export and the API refuse unknown, repeated and invalid parameters", () => {
    for (const read of [readAuditExportQuery, readAuditApiQuery]) {
      expect(refused(read, "who=1")).toMatch(/^Unknown query parameter/);
      expect(refused(read, "actor=a@b.c&actor=d@e.f")).toBe("actor: give it once");
      expect(refused(read, "actor=ada")).toBe("actor: a user id or an email address");
      expect(refused(read, `target=${"a".repeat(320)}@b.c`)).toMatch(/^target: /);
      expect(refused(read, "target=a%0A@b.c")).toBe("target: control characters are not allowed");
      expect(refused(read, "action=DROP%20TABLE")).toMatch(/^action: /);
      expect(refused(read, `action=a.${"b".repeat(64)}`)).toMatch(/^action: /);
      expect(refused(read, "from=yesterday")).toMatch(/^from: /);
      expect(refused(read, "from=2026-13-01")).toMatch(/^from: /);
      expect(refused(read, "to=2026-12-05T24:00")).toMatch(/^to: /);
      expect(refused(read, "to=1969-12-31")).toMatch(/^to: /);
    }
    expect(refused(readAuditExportQuery, "cursor=x")).toMatch(/^Unknown query parameter: only actor, target, action, from, to are/);
    expect(refused(readAuditExportQuery, "limit=5")).toMatch(/^Unknown query parameter/);
    expect(refused(readAuditApiQuery, "limit=0")).toMatch(/^limit: /);
    expect(refused(readAuditApiQuery, "limit=101")).toMatch(/^limit: /);
    expect(refused(readAuditApiQuery, "limit=5&limit=6")).toBe("limit: give it once");
    expect(refused(readAuditApiQuery, "cursor=nope")).toBe("cursor: not a cursor of this list");
    expect(refused(readAuditApiQuery, "evil=1")).toMatch(/only actor, target, action, from, to, cursor, limit are accepted/);
  });

  it("the API reads cursor and limit", () => {
    const cursor = encodeAuditCursor({ at: "2026-12-05T08:03:12.353860Z", id: ID });
    expect(readAuditApiQuery(params(`cursor=${encodeURIComponent(cursor)}&limit=100&action=user.ban`))).toEqual({
      filters: { action: "user.ban" },
      cursor: { at: "2026-12-05T08:03:12.353860Z", id: ID },
      limit: 100,
    });
  });
});

describe("time range", () => {
  it("reads dates and datetime-local values as UTC; a date alone as `to` includes that day", () => {
    expect(parseAuditTime("2026-12-05", "from")?.toISOString()).toBe("2026-12-05T00:00:00.000Z");
    expect(parseAuditTime("2026-12-05", "to")?.toISOString()).toBe("2026-12-06T00:00:00.000Z");
    expect(parseAuditTime("2026-12-05T14:30", "to")?.toISOString()).toBe("2026-12-05T14:30:00.000Z");
    expect(parseAuditTime("2026-12-05T14:30:59", "from")?.toISOString()).toBe("2026-12-05T14:30:59.000Z");
    expect(parseAuditTime("2024-02-29", "from")).not.toBeNull();
    for (const bad of ["2026-02-29", "2026-02-30", "2026-12-05T14:60", "2026-12-5", "2026-12-05 14:30", "2026-12-05T14:30Z", "+02026-12-05", "0000-01-01"]) {
      expect(parseAuditTime(bad, "from"), bad).toBeNull();
    }
    expect(auditRange({ from: "2026-12-01", to: "2026-12-05" })).toEqual({ from: "2026-12-01T00:00:00.000Z", to: "2026-12-06T00:00:00.000Z" });
    expect(auditRange({})).toEqual({ from: null, to: null });
  });

  it("shows a value in the datetime input as the same instant", () => {
    expect(auditInputTime("2026-12-05", "from")).toBe("2026-12-05T00:00");
    expect(auditInputTime("2026-12-05", "to")).toBe("2026-12-06T00:00");
    expect(auditInputTime("2026-12-05T14:30:15", "to")).toBe("2026-12-05T14:30:15");
  });
});

describe("audit cursor", () => {
  it("round-trips and keeps the microseconds", () => {
    const cursor = { at: "2026-12-05T08:03:12.353860Z", id: ID };
    expect(decodeAuditCursor(encodeAuditCursor(cursor))).toEqual(cursor);
  });

  it.each([
    "",
    "2026-12-05T08:03:12.353Z_" + ID,
    "2026-12-05T08:03:12.353860Z",
    `2026-12-05T08:03:12.353860Z_${ID}_x`,
    `2026-12-05T08:03:12.353860Z_${ID.toUpperCase()}`,
    `2026-02-30T08:03:12.353860Z_${ID}`,
    `0000-01-01T00:00:00.000000Z_${ID}`,
    `2026-12-05T08:03:12.353860Z_not-a-uuid`,
  ])("refuses %j", (value) => {
    expect(decodeAuditCursor(value)).toBeNull();
  });
});
