import { describe, expect, it } from "vitest";
import { chooseAvatarInput, displayNameProblem, updateProfileInput } from "./profile-input";
import { parseInput } from "./account-errors";
import { AppError } from "../errors";

function refusal(raw: unknown, schema: typeof updateProfileInput | typeof chooseAvatarInput = updateProfileInput): string {
  try {
    parseInput(schema, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_input");
    return (error as AppError).message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe("display name", () => {
  it("accepts ordinary names, trimmed and NFC-normalised", () => {
    expect(parseInput(updateProfileInput, { displayName: "  Ada Lovelace " })).toEqual({ displayName: "Ada Lovelace" });
    expect(parseInput(updateProfileInput, { displayName: "Zoe\u0301" }).displayName).toBe("Zoé");
    expect(parseInput(updateProfileInput, { displayName: "李小龍 🐉 O'Brien-Smith & Co." }).displayName).toBe("李小龍 🐉 O'Brien-Smith & Co.");
  });

  it("counts characters as code points: 80 emoji pass, 81 letters do not", () => {
    expect(displayNameProblem("😀".repeat(80))).toBeNull();
    expect(displayNameProblem("x".repeat(80))).toBeNull();
    expect(displayNameProblem("x".repeat(81))).toBe("Use at most 80 characters (this has 81)");
    expect(displayNameProblem(` ${"x".repeat(80)} `)).toBeNull();
  });

  it("refuses empty, control characters, markup and lone surrogates with a clear message each", () => {
    expect(displayNameProblem("")).toBe("Enter a display name");
    expect(displayNameProblem(" \u00a0 ")).toBe("Enter a display name");
    for (const bad of ["a\tb", "a\nb", "a\u0000b", "a\u007fb", "a\u0085b", "a\u202eb", "a\u2028b"]) {
      expect(displayNameProblem(bad)).toMatch(/control characters/);
    }
    for (const bad of ["<b>x</b>", "<script>alert(1)</script>", "a > b", "<img src=x onerror=alert(1)>"]) {
      expect(displayNameProblem(bad)).toBe("A display name cannot contain < or >");
    }
    for (const bad of ["abc\ud800", "\udc00x", "x\ud83d"]) {
      expect(displayNameProblem(bad)).toMatch(/not valid Unicode/);
    }
  });

  it("the schema refuses what displayNameProblem refuses, and wrong shapes", () => {
    expect(refusal({ displayName: "x".repeat(81) })).toBe("displayName: Use at most 80 characters (this has 81)");
    expect(refusal({ displayName: "a\ud800" })).toMatch(/^displayName: The name contains text that is not valid Unicode/);
    expect(refusal({})).toBe("displayName: Enter a display name");
    expect(refusal({ displayName: 42 })).toBe("displayName: Enter a display name");
    expect(refusal({ displayName: null })).toBe("displayName: Enter a display name");
    expect(refusal({ displayName: "Ada", role: "admin" })).toBe("Unknown field: role");
    expect(refusal({ displayName: "Ada", a: 1, b: 2 })).toBe("Unknown fields: a, b");
    expect(refusal(JSON.parse('{"displayName":"Ada","__proto__":{"x":1}}'))).toBe("Unknown field: __proto__");
    for (const notObject of [null, [], "Ada", 1, true]) expect(refusal(notObject)).toBe("Send a JSON object");
  });
});

describe("avatar choice", () => {
  it("accepts an http(s) URL or null", () => {
    expect(parseInput(chooseAvatarInput, { avatarUrl: "https://example.com/a.png" })).toEqual({ avatarUrl: "https://example.com/a.png" });
    expect(parseInput(chooseAvatarInput, { avatarUrl: null })).toEqual({ avatarUrl: null });
  });

  it("refuses other schemes, long URLs, missing values and unknown fields", () => {
    for (const avatarUrl of ["javascript:alert(1)", "data:image/png;base64,AAAA", "", "https://", `https://e.x/${"a".repeat(2048)}`, 5, undefined]) {
      expect(refusal({ avatarUrl }, chooseAvatarInput)).toBe("avatarUrl: Choose one of your pictures, or initials");
    }
    expect(refusal({ avatarUrl: null, userId: "x" }, chooseAvatarInput)).toBe("Unknown field: userId");
  });
});
