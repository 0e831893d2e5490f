import { describe, expect, it } from "vitest";
import { banUserBody, goDurationSeconds, MAX_BAN_SECONDS } from "./ban-user-input";
import { createUserBody } from "./create-user-input";
import { confirmsEmail, deleteUserBody } from "./delete-user-input";
import { revokeSessionsBody } from "./revoke-sessions-input";
import { setRoleBody } from "./set-role-input";
import { unbanUserBody } from "./unban-user-input";

describe("goDurationSeconds", () => {
  it("reads Go durations as the Auth server's ban_duration takes them", () => {
    expect(goDurationSeconds("1h")).toBe(3600);
    expect(goDurationSeconds("1h30m")).toBe(5400);
    expect(goDurationSeconds("90s")).toBe(90);
    expect(goDurationSeconds("1.5h")).toBe(5400);
    expect(goDurationSeconds("500ms")).toBe(0.5);
    expect(goDurationSeconds("876000h")).toBe(MAX_BAN_SECONDS);
  });
  it("refuses what is not one", () => {
    for (const d of ["", "h", "1", "1d", "-1h", "1h ", " 1h", "1H", "forever", "1h-2m"]) expect(goDurationSeconds(d), d).toBeNull();
  });
});

describe("the admin write bodies", () => {
  it("ban: a duration between a moment and 876000h and a reason of 1–500 characters, nothing else", () => {
    expect(banUserBody.parse({ duration: "24h", reason: " spam " })).toEqual({ duration: "24h", reason: "spam" });
    for (const body of [
      { duration: "0s", reason: "x" },
      { duration: "876001h", reason: "x" },
      { duration: "24h" },
      { duration: "24h", reason: "" },
      { duration: "24h", reason: "x".repeat(501) },
      { duration: "24h", reason: "a\u0000b" },
      { duration: "24h", reason: "\ud800" },
      { duration: "24h", reason: "x", userId: "00000000-0000-4000-8000-000000000000" },
    ]) {
      expect(banUserBody.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
    expect(banUserBody.safeParse({ duration: "24h", reason: "é".repeat(500) }).success).toBe(true);
  });
  it("role: a role or null, with an optional reason", () => {
    expect(setRoleBody.parse({ role: null })).toEqual({ role: null });
    expect(setRoleBody.parse({ role: "admin", reason: "" })).toEqual({ role: "admin", reason: undefined });
    expect(setRoleBody.safeParse({}).success).toBe(false);
    expect(setRoleBody.safeParse({ role: "Admin" }).success).toBe(false);
  });
  it("unban and end-all take nothing unknown", () => {
    expect(unbanUserBody.parse({})).toEqual({ reason: undefined });
    expect(unbanUserBody.safeParse({ reason: 5 }).success).toBe(false);
    expect(revokeSessionsBody.parse({})).toEqual({});
    expect(revokeSessionsBody.safeParse({ all: true }).success).toBe(false);
  });
  it("create: an email (lower-cased), a name of 1–100 characters without < > or control characters, and a role", () => {
    expect(createUserBody.parse({ email: " Ada@Example.COM ", name: "Ada Lovelace", role: "user" })).toEqual({
      email: "ada@example.com",
      name: "Ada Lovelace",
      role: "user",
    });
    for (const body of [
      { email: "ada", name: "Ada", role: "user" },
      { email: "ada@example.com", name: " ", role: "user" },
      { email: "ada@example.com", name: "<script>", role: "user" },
      { email: "ada@example.com", name: "x".repeat(101), role: "user" },
      { email: "ada@example.com", name: "Ada", role: null },
    ]) {
      expect(createUserBody.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
  it("delete: the typed email, compared without regard to case", () => {
    expect(deleteUserBody.safeParse({ confirmEmail: "" }).success).toBe(false);
    for (const confirmEmail of ["a\u0000b@example.com", "ada@example.com\u0007", "ada\ud800@example.com", "a".repeat(321)]) {
      expect(deleteUserBody.safeParse({ confirmEmail }).success, JSON.stringify(confirmEmail)).toBe(false);
    }
    expect(deleteUserBody.parse({ confirmEmail: " ada@example.com " })).toEqual({ confirmEmail: "ada@example.com" });
    expect(confirmsEmail(" ADA@example.com ", "ada@example.com")).toBe(true);
    expect(confirmsEmail("ada@example.co", "ada@example.com")).toBe(false);
    expect(confirmsEmail("", null)).toBe(false);
  });
});
