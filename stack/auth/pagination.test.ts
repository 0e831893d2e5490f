import { describe, expect, it } from "vitest";
import {
  encodeGoQuery,
  goQueryEscape,
  pageWindow,
  paginationHeaders,
  parseGoQuery,
  parseGoUint,
  parsePagination,
} from "./pagination.ts";

describe("parsePagination", () => {
  it("defaults to page 1 and 50 per page", () => {
    expect(parsePagination(parseGoQuery(""))).toEqual({ page: 1n, perPage: 50n });
  });

  it("reads the first value of page and per_page", () => {
    expect(parsePagination(parseGoQuery("page=2&per_page=3&page=9"))).toEqual({ page: 2n, perPage: 3n });
  });

  it("rejects what strconv.ParseUint rejects, in its words", () => {
    expect(() => parsePagination(parseGoQuery("per_page=abc"))).toThrow(
      'Bad Pagination Parameters: strconv.ParseUint: parsing "abc": invalid syntax',
    );
    expect(() => parsePagination(parseGoQuery("page=-1"))).toThrow('parsing "-1": invalid syntax');
    expect(() => parsePagination(parseGoQuery("page=99999999999999999999"))).toThrow(
      'parsing "99999999999999999999": value out of range',
    );
    expect(() => parsePagination(parseGoQuery("per_page=0"))).toThrow("per_page must be greater than 0");
  });

  it("reports validation_failed with status 400", () => {
    try {
      parsePagination(parseGoQuery("page=x"));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: "validation_failed" });
    }
  });
});

describe("parseGoUint", () => {
  it("accepts the full uint64 range", () => {
    expect(parseGoUint("18446744073709551615")).toBe(18446744073709551615n);
    expect(() => parseGoUint("18446744073709551616")).toThrow("value out of range");
  });

  it("reports overflow before a later bad character, like Go", () => {
    expect(() => parseGoUint("99999999999999999999x")).toThrow("value out of range");
    expect(() => parseGoUint("+1")).toThrow("invalid syntax");
  });
});

describe("Go query encoding", () => {
  it("escapes like url.QueryEscape", () => {
    expect(goQueryEscape("created_at asc")).toBe("created_at+asc");
    expect(goQueryEscape("action:login")).toBe("action%3Alogin");
    expect(goQueryEscape("author:%")).toBe("author%3A%25");
    expect(goQueryEscape("a~b*c")).toBe("a~b%2Ac");
    expect(goQueryEscape("é")).toBe("%C3%A9");
  });

  it("drops pairs with a semicolon or a bad escape and keeps the rest", () => {
    const q = parseGoQuery("a=1;b=2&c=%zz&d=x+y&e&=f");
    expect([...q.entries()]).toEqual([
      ["d", ["x y"]],
      ["e", [""]],
      ["", ["f"]],
    ]);
  });

  it("sorts keys when encoding", () => {
    expect(encodeGoQuery(parseGoQuery("search=admin-b&per_page=1&page=2"))).toBe("page=2&per_page=1&search=admin-b");
  });
});

describe("paginationHeaders", () => {
  const headers = (raw: string, count: bigint) => {
    const q = parseGoQuery(raw);
    return paginationHeaders("/admin/users", q, parsePagination(q), count);
  };

  it("links the next and the last page (transcript 10)", () => {
    expect(headers("page=1&per_page=2", 3n)).toEqual({
      link: '</admin/users?page=2&per_page=2>; rel="next", </admin/users?page=2&per_page=2>; rel="last"',
      "x-total-count": "3",
    });
    expect(headers("page=2&per_page=2", 3n).link).toBe('</admin/users?page=2&per_page=2>; rel="last"');
  });

  it("does not echo the default per_page", () => {
    expect(headers("", 3n).link).toBe('</admin/users?page=1>; rel="last"');
  });

  it("says page=0 when nothing matches", () => {
    expect(headers("filter=ADMIN-B", 0n)).toEqual({
      link: '</admin/users?filter=ADMIN-B&page=0>; rel="last"',
      "x-total-count": "0",
    });
  });

  it("keeps unknown parameters and re-encodes them (transcripts 10 and 16)", () => {
    expect(headers("search=admin-b&per_page=1", 3n).link).toBe(
      '</admin/users?page=2&per_page=1&search=admin-b>; rel="next", </admin/users?page=3&per_page=1&search=admin-b>; rel="last"',
    );
    expect(headers("sort=created_at%20asc&per_page=3", 3n).link).toBe(
      '</admin/users?page=1&per_page=3&sort=created_at+asc>; rel="last"',
    );
    const q = parseGoQuery("query=author:%25&per_page=1");
    expect(paginationHeaders("/admin/audit", q, parsePagination(q), 23n).link).toBe(
      '</admin/audit?page=2&per_page=1&query=author%3A%25>; rel="next", </admin/audit?page=23&per_page=1&query=author%3A%25>; rel="last"',
    );
  });
});

describe("pageWindow", () => {
  it("turns a page into LIMIT/OFFSET, reading page 0 as page 1", () => {
    expect(pageWindow({ page: 3n, perPage: 2n })).toEqual({ limit: 2, offset: 4 });
    expect(pageWindow({ page: 0n, perPage: 50n })).toEqual({ limit: 50, offset: 0 });
    expect(pageWindow({ page: 1n << 60n, perPage: 50n })).toBeNull();
  });
});
