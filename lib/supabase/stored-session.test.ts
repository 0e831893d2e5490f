import { describe, expect, it } from "vitest";
import { storedAccessToken, storedSessionExpiry } from "./stored-session";

const encode = (v: unknown) => `base64-${Buffer.from(JSON.stringify(v)).toString("base64url")}`;

describe("storedSessionExpiry", () => {
  it("reads expires_at from a single cookie", () => {
    expect(storedSessionExpiry([{ name: "sb-127-auth-token", value: encode({ expires_at: 1700000000 }) }])).toBe(1700000000);
  });
  it("joins chunks in order", () => {
    const value = encode({ access_token: "x".repeat(50), expires_at: 42 });
    const cookies = [
      { name: "sb-ref-auth-token.1", value: value.slice(20) },
      { name: "sb-ref-auth-token.0", value: value.slice(0, 20) },
    ];
    expect(storedSessionExpiry(cookies)).toBe(42);
  });
  it("ignores other cookies and garbage", () => {
    expect(storedSessionExpiry([{ name: "other", value: "1" }])).toBeNull();
    expect(storedSessionExpiry([{ name: "sb-127-auth-token", value: "base64-%%%" }])).toBeNull();
    expect(storedSessionExpiry([{ name: "sb-127-auth-token", value: encode({ expires_at: "soon" }) }])).toBeNull();
    expect(storedSessionExpiry([{ name: "sb-127-auth-token-code-verifier", value: encode({ expires_at: 1 }) }])).toBeNull();
  });

  it("reads the access token", () => {
    expect(storedAccessToken([{ name: "sb-127-auth-token", value: encode({ access_token: "a.b.c" }) }])).toBe("a.b.c");
    expect(storedAccessToken([{ name: "sb-127-auth-token", value: encode({ access_token: 1 }) }])).toBeNull();
    expect(storedAccessToken([])).toBeNull();
  });
});
