import { describe, expect, it } from "vitest";
import { requiredCharacterSets } from "./config.ts";
import { assertStrongPassword, passwordWeakness } from "./password.ts";

const rules = (minLength: number, requirement = "") => ({ password: { minLength, requiredCharacters: requiredCharacterSets(requirement) } });

describe("password strength", () => {
  it("measures length in bytes, as Go's len() does", () => {
    expect(passwordWeakness(rules(6), "abcdef")).toBeNull();
    expect(passwordWeakness(rules(6), "abcde")).toEqual({ message: "Password should be at least 6 characters.", reasons: ["length"] });
    // Three two-byte characters reach six bytes.
    expect(passwordWeakness(rules(6), "ééé")).toBeNull();
  });

  it("requires one character of each configured set, naming them all", () => {
    expect(passwordWeakness(rules(6, "letters_digits"), "abcdef1")).toBeNull();
    const weak = passwordWeakness(rules(6, "lower_upper_letters_digits"), "abcdef1");
    expect(weak?.reasons).toEqual(["characters"]);
    expect(weak?.message).toBe(
      "Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, ABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789.",
    );
    expect(passwordWeakness(rules(8, "letters_digits"), "abc")?.reasons).toEqual(["length", "characters"]);
    expect(passwordWeakness(rules(6, "lower_upper_letters_digits_symbols"), "aB3$xyz")).toBeNull();
  });

  it("refuses more than 72 bytes outright", () => {
    expect(() => passwordWeakness(rules(6), "x".repeat(73))).toThrow("Password cannot be longer than 72 characters");
    expect(passwordWeakness(rules(6), "x".repeat(72))).toBeNull();
  });

  it("a weak password is a 422 weak_password without the error-code header", () => {
    try {
      assertStrongPassword(rules(6), "abc");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 422, code: "weak_password", codeHeader: false, extra: { weak_password: { reasons: ["length"] } } });
    }
  });
});
