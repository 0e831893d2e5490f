import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { stepUpDenial } from "./step-up-errors";
import { isStepUpRequirement, reauthenticationForm, stepUpMessage } from "./step-up-requirement";

/** What postgres.js rejects with for a RAISE: the fields of the error response on an Error. */
function pgError(code: string, message: string, detail?: string): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR", ...(detail === undefined ? {} : { detail }) });
}

describe("step-up requirement", () => {
  it("knows the two requirements only", () => {
    expect(isStepUpRequirement("aal2")).toBe(true);
    expect(isStepUpRequirement("recent_sign_in")).toBe(true);
    for (const value of ["aal1", "", null, undefined, 2, "AAL2"]) expect(isStepUpRequirement(value)).toBe(false);
  });

  it("tells the person what to do", () => {
    expect(stepUpMessage("aal2")).toMatch(/authenticator app/);
    expect(stepUpMessage("recent_sign_in")).toMatch(/sign in with your provider again.*10 minutes/);
  });

  it("re-authentication comes back to the action, and only to the app's own pages", () => {
    expect(reauthenticationForm("google", "/account/delete")).toEqual({ provider: "google", next: "/account/delete", prompt: "consent" });
    expect(reauthenticationForm("apple", "/account/export")).toEqual({ provider: "apple", next: "/account/export", prompt: null });
    for (const unsafe of ["https://evil.example/account", "//evil.example", "/\\evil.example", "/elsewhere", "javascript:alert(1)"]) {
      expect(reauthenticationForm("google", unsafe).next).toBe("/account");
    }
  });
});

describe("stepUpDenial", () => {
  it("maps private.assert_step_up()'s SU001 to a 403 step_up_required with the requirement", () => {
    for (const requirement of ["aal2", "recent_sign_in"] as const) {
      const denial = stepUpDenial(pgError("SU001", "step_up_required", requirement));
      expect(denial).toBeInstanceOf(AppError);
      expect(denial).toMatchObject({ code: "step_up_required", details: { requirement } });
    }
  });

  it("an unknown detail still refuses, asking for a fresh sign-in", () => {
    expect(stepUpDenial(pgError("SU001", "step_up_required", "something else"))?.details).toEqual({ requirement: "recent_sign_in" });
    expect(stepUpDenial(pgError("SU001", "step_up_required"))?.code).toBe("step_up_required");
  });

  it("leaves every other error alone", () => {
    expect(stepUpDenial(pgError("42501", "permission denied"))).toBeNull();
    expect(stepUpDenial(new Error("SU001"))).toBeNull();
    expect(stepUpDenial(new AppError({ code: "forbidden", message: "no" }))).toBeNull();
  });
});
