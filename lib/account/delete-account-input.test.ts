import { describe, expect, it } from "vitest";
import { confirmationProblem, deleteAccountInput } from "./delete-account-input";

describe("delete account confirmation", () => {
  it("accepts the word DELETE, with surrounding spaces", () => {
    expect(confirmationProblem("DELETE")).toBeNull();
    expect(confirmationProblem("  DELETE ")).toBeNull();
    expect(deleteAccountInput.safeParse({ confirmation: "DELETE" }).success).toBe(true);
  });

  it("refuses anything else with a message the form shows", () => {
    expect(confirmationProblem("delete")).toMatch(/capital letters/);
    expect(confirmationProblem("")).toMatch(/Type DELETE/);
    expect(confirmationProblem("DELETE\t")).toMatch(/control characters/);
    expect(confirmationProblem("DE\u202eLETE")).toMatch(/control characters/);
    expect(confirmationProblem("\ud800DELETE")).toMatch(/control characters/);
    expect(confirmationProblem("DELETE ".repeat(12))).toMatch(/at most 64/);
  });

  it("the body is a strict object", () => {
    const unknown = deleteAccountInput.safeParse({ confirmation: "DELETE", extra: 1 });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.message).toBe("Unknown field: extra");
    expect(deleteAccountInput.safeParse(null).error?.issues[0]?.message).toBe("Send a JSON object");
    expect(deleteAccountInput.safeParse({}).error?.issues[0]?.message).toBe("Type DELETE to confirm");
  });
});
