import { describe, expect, it } from "vitest";
import { mfaPending, mfaPromptUrl, normalizeTotpCode } from "./aal";

describe("mfaPending", () => {
  it("a user without a verified factor is never held at the prompt", () => {
    for (const tokenAal of ["aal1", "aal2", undefined]) expect(mfaPending({ hasVerifiedFactor: false, tokenAal, sessionAal: "aal1" })).toBe(false);
  });

  it("with a factor, both the token and the session must be aal2 or aal3", () => {
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal2", sessionAal: "aal2" })).toBe(false);
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal3", sessionAal: "aal2" })).toBe(false);
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal1", sessionAal: "aal1" })).toBe(true);
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal1", sessionAal: "aal2" })).toBe(true);
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal2", sessionAal: "aal1" })).toBe(true);
  });

  it("unknown or missing levels deny", () => {
    for (const tokenAal of [undefined, null, "", "AAL2", 2, ["aal2"]]) expect(mfaPending({ hasVerifiedFactor: true, tokenAal, sessionAal: "aal2" })).toBe(true);
    expect(mfaPending({ hasVerifiedFactor: true, tokenAal: "aal2", sessionAal: null })).toBe(true);
  });
});

describe("the prompt", () => {
  it("carries next encoded", () => {
    expect(mfaPromptUrl("/account/devices?x=1")).toBe("/auth/mfa?next=%2Faccount%2Fdevices%3Fx%3D1");
  });

  it("accepts six digits only", () => {
    expect(normalizeTotpCode("123456")).toBe("123456");
    expect(normalizeTotpCode(" 123 456 ")).toBe("123456");
    for (const bad of ["12345", "1234567", "abcdef", "", null, 123456, "１２３４５６", "1".repeat(40)]) expect(normalizeTotpCode(bad)).toBeNull();
  });
});
