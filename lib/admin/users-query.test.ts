import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  DEFAULT_USERS_FILTERS,
  describeUserCount,
  readUsersApiQuery,
  readUsersPageFilters,
  toSearchUsersInput,
  usersFiltersToParams,
  usersHref,
  type UsersFilters,
} from "./users-query";

const params = (query: string) => new URLSearchParams(query);

function refused(query: string): string {
  try {
    readUsersApiQuery(params(query));
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_input");
    return (error as AppError).message;
  }
  throw new Error(`accepted ${query}`);
}

describe("users table URL ↔ filters", () => {
  it("round-trips every state, defaults left out and keys in one order", () => {
    const states: UsersFilters[] = [
      DEFAULT_USERS_FILTERS,
      { sort: "email", dir: "asc", q: "ada lovelace", role: "support", status: "banned", provider: "apple", mfa: true },
      { sort: "last_sign_in", dir: "desc", mfa: false },
      { sort: "created", dir: "asc", q: "3f2a-9c", provider: "google", status: "active", role: "user" },
    ];
    for (const state of states) {
      const url = usersFiltersToParams(state);
      expect(readUsersPageFilters(url)).toEqual({ filters: state, dropped: [] });
      expect(readUsersApiQuery(url).filters).toEqual(state);
    }
    expect(usersHref(DEFAULT_USERS_FILTERS)).toBe("/admin/users");
    expect(usersHref({ sort: "email", dir: "asc", mfa: true, q: "a&b=c", role: "admin" })).toBe("/admin/users?q=a%26b%3Dc&sort=email&dir=asc&role=admin&mfa=yes");
  });

  it("trims the query and leaves a blank one out", () => {
    expect(readUsersPageFilters(params("q=%20%20ada%20")).filters.q).toBe("ada");
    expect(readUsersPageFilters(params("q=%20%20")).filters.q).toBeUndefined();
    expect(usersFiltersToParams({ ...DEFAULT_USERS_FILTERS, q: "  " }).toString()).toBe("");
  });

  it("the page drops what it does not understand and keeps the rest; empty fields mean any", () => {
    expect(readUsersPageFilters(params("role=root&sort=email&provider=github&mfa=maybe&x=1&dir=asc&dir=desc&q=ok"))).toEqual({
      filters: { sort: "email", dir: "desc", q: "ok" },
      dropped: ["role", "provider", "mfa", "x", "dir"],
    });
    expect(readUsersPageFilters(params("q=&role=&status=&provider=&mfa=&sort=created&dir=desc"))).toEqual({
      filters: DEFAULT_USERS_FILTERS,
      dropped: [],
    });
    expect(readUsersPageFilters(params(`q=${"a".repeat(101)}`)).dropped).toEqual(["q"]);
  });

  it("the API refuses unknown, repeated and invalid parameters, naming the parameter and not echoing the value", () => {
    expect(refused("evil=1")).toMatch(/^Unknown query parameter/);
    expect(refused("q=a&q=b")).toBe("q: give it once");
    expect(refused("role=root")).toMatch(/^role: /);
    expect(refused("role=")).toMatch(/^role: /);
    expect(refused("sort=name")).toMatch(/^sort: /);
    expect(refused("dir=up")).toMatch(/^dir: /);
    expect(refused("status=deleted")).toMatch(/^status: /);
    expect(refused("provider=github")).toMatch(/^provider: /);
    expect(refused("mfa=true")).toMatch(/^mfa: /);
    expect(refused(`q=${"x".repeat(101)}`)).toMatch(/^q: at most 100/);
    expect(refused("q=a%00b")).toBe("q: control characters are not allowed");
    expect(refused("q=a%0Ab")).toBe("q: control characters are not allowed");
    expect(refused("q=a%7Fb")).toBe("q: control characters are not allowed");
    expect(refused("q=a%C2%85b")).toBe("q: control characters are not allowed");
    expect(refused("limit=0")).toMatch(/^limit: /);
    expect(refused("limit=101")).toMatch(/^limit: /);
    expect(refused("limit=1e1")).toMatch(/^limit: /);
    expect(refused("cursor=not%20a%20cursor")).toBe("cursor: not a cursor of this list");
    expect(refused("cursor=")).toBe("cursor: not a cursor of this list");
    expect(refused("role=root")).not.toContain("root");
  });

  it("the API reads a valid query with cursor and limit", () => {
    expect(readUsersApiQuery(params("q=ada&sort=email&dir=asc&limit=50&cursor=abc_DEF-1"))).toEqual({
      filters: { q: "ada", sort: "email", dir: "asc" },
      cursor: "abc_DEF-1",
      limit: 50,
    });
    expect(readUsersApiQuery(params(""))).toEqual({ filters: DEFAULT_USERS_FILTERS, limit: 25 });
  });

  it("maps a state to the search's input", () => {
    expect(toSearchUsersInput({ sort: "email", dir: "asc", status: "banned", mfa: false }, { cursor: "c", limit: 10 })).toEqual({
      q: undefined,
      sort: "email",
      dir: "asc",
      role: undefined,
      status: "banned",
      provider: undefined,
      mfa: false,
      pageSize: 10,
      cursor: "c",
    });
  });
});

describe("describeUserCount", () => {
  it("says an exact count as it is and an estimate rounded, as about", () => {
    expect(describeUserCount({ count: 0, exact: true })).toBe("0 users");
    expect(describeUserCount({ count: 1, exact: true })).toBe("1 user");
    expect(describeUserCount({ count: 1000, exact: true })).toBe("1,000 users");
    expect(describeUserCount({ count: 100_234, exact: false })).toBe("about 100,000 users");
    expect(describeUserCount({ count: 1001, exact: false })).toBe("about 1,000 users");
    expect(describeUserCount({ count: 56_789, exact: false })).toBe("about 57,000 users");
    expect(describeUserCount({ count: 2_345_678, exact: false })).toBe("about 2,300,000 users");
  });
});
