import { describe, expect, it } from "vitest";
import { enrolInput, factorNameProblem, promptInput, verifyEnrolmentInput } from "./mfa-input";

describe("factorNameProblem", () => {
  it.each([
    ["", "Give the authenticator a name"],
    ["   ", "Give the authenticator a name"],
    ["Phone\tline", "Remove control characters such as tabs, line breaks or text-direction marks"],
    ["Phone\u202e", "Remove control characters such as tabs, line breaks or text-direction marks"],
    ["<b>Phone</b>", "A name cannot contain < or >"],
    ["x".repeat(61), "Keep the name under 60 characters"],
    ["Phone\ud800", "The name contains text that is not valid Unicode; retype the characters that look wrong"],
  ])("refuses %j", (name, message) => {
    expect(factorNameProblem(name)).toBe(message);
  });

  it("accepts 60 code points, emoji counted once, and trims", () => {
    expect(factorNameProblem("😀".repeat(60))).toBeNull();
    expect(enrolInput.parse({ name: "  My phone  " })).toEqual({ name: "My phone" });
  });
});

describe("the two-factor input schemas", () => {
  it("refuse unknown fields and non-strings", () => {
    expect(enrolInput.safeParse({ name: "Phone", role: "admin" }).success).toBe(false);
    expect(enrolInput.safeParse({ name: 42 }).success).toBe(false);
    expect(verifyEnrolmentInput.safeParse({ factorId: "not-a-uuid", code: "123456" }).success).toBe(false);
  });

  it("normalise a code typed with spaces and refuse anything but six digits", () => {
    expect(promptInput.parse({ code: "123 456" })).toEqual({ code: "123456" });
    expect(promptInput.safeParse({ code: "12345" }).success).toBe(false);
    expect(promptInput.safeParse({ code: "1".repeat(40) }).success).toBe(false);
  });
});
