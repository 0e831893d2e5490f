import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { postgresError } from "./errors";

describe("postgresError", () => {
  it("reads code and message from a postgres.js error", () => {
    const error = new postgres.PostgresError({ message: "banned", code: "28000", severity: "ERROR" } as never);
    expect(postgresError(error)).toEqual({ code: "28000", message: "banned" });
  });

  it("recognises one from another copy of postgres.js, whose class is not this one", () => {
    class PostgresError extends Error {}
    const error = Object.assign(new PostgresError("forbidden"), { code: "42501", severity: "ERROR", severity_local: "ERROR" });
    expect(error instanceof postgres.PostgresError).toBe(false);
    expect(postgresError(error)).toEqual({ code: "42501", message: "forbidden" });
  });

  it("is null for anything else", () => {
    expect(postgresError(new Error("boom"))).toBeNull();
    expect(postgresError(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }))).toBeNull();
    expect(postgresError({ code: "28000", severity: "ERROR", message: "banned" })).toBeNull();
    expect(postgresError(null)).toBeNull();
  });
});
