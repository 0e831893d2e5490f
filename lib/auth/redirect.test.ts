import { describe, expect, it } from "vitest";
import { safeNextPath } from "./redirect";

describe("safeNextPath", () => {
  it.each([
    ["/account", "/account"],
    ["/account?tab=profile", "/account?tab=profile"],
    ["/settings/sessions", "/settings/sessions"],
    ["/admin/users?page=2#top", "/admin/users?page=2#top"],
    ["/", "/"],
  ])("keeps the same-origin path %s", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://localhost:3000/account",
    "https:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/\tevil.example",
    "/\nevil.example",
    "/\u0000/evil.example",
    "/account\r\nLocation: https://evil.example",
    "@evil.example",
    "/@evil.example",
    "evil.example",
    "/../../evil",
    "/accountx",
    "/unknown",
    " /account",
    "",
  ])("rejects %j", (input) => {
    expect(safeNextPath(input)).toBe("/");
  });

  it("rejects non-strings", () => {
    expect(safeNextPath(undefined)).toBe("/");
    expect(safeNextPath(["/account"])).toBe("/");
    expect(safeNextPath(42)).toBe("/");
  });

  it("uses the given fallback", () => {
    expect(safeNextPath("//evil.example", "/account")).toBe("/account");
  });
});
