import { describe, expect, it } from "vitest";
import { readStoredSession } from "./stored-session";

const encode = (v: unknown) => `base64-${Buffer.from(JSON.stringify(v)).toString("base64url")}`;

describe("readStoredSession", () => {
  it("reads the access token and expiry from a single cookie among others", () => {
    const header = `theme=dark; sb-127-auth-token=${encode({ access_token: "a.b.c", expires_at: 1700000000 })}; other=1`;
    expect(readStoredSession(header)).toEqual({ accessToken: "a.b.c", expiresAt: 1700000000 });
  });

  it("joins chunks in order, whatever order the browser sends them in", () => {
    const value = encode({ access_token: "x".repeat(50), expires_at: 42 });
    const header = `sb-ref-auth-token.1=${value.slice(20)}; sb-ref-auth-token.0=${value.slice(0, 20)}`;
    expect(readStoredSession(header)).toEqual({ accessToken: "x".repeat(50), expiresAt: 42 });
  });

  it("finds nothing without a session cookie, or in garbage", () => {
    const none = { accessToken: null, expiresAt: null };
    expect(readStoredSession(null)).toEqual(none);
    expect(readStoredSession("")).toEqual(none);
    expect(readStoredSession("other=1")).toEqual(none);
    expect(readStoredSession("sb-127-auth-token=base64-%%%")).toEqual(none);
    expect(readStoredSession(`sb-127-auth-token=${encode([1, 2])}`)).toEqual(none);
    expect(readStoredSession(`sb-127-auth-token-code-verifier=${encode({ access_token: "a", expires_at: 1 })}`)).toEqual(none);
  });

  it("ignores fields of the wrong type", () => {
    expect(readStoredSession(`sb-127-auth-token=${encode({ access_token: 1, expires_at: "soon" })}`)).toEqual({ accessToken: null, expiresAt: null });
    expect(readStoredSession(`sb-127-auth-token=${encode({ access_token: "", expires_at: Number.MAX_VALUE * 2 })}`)).toEqual({
      accessToken: null,
      expiresAt: null,
    });
  });

  it("answers a repeated header from memory, and a changed one afresh", () => {
    const first = `sb-127-auth-token=${encode({ access_token: "one", expires_at: 1 })}`;
    const again = readStoredSession(first);
    expect(readStoredSession(first)).toBe(again);
    const refreshed = `sb-127-auth-token=${encode({ access_token: "two", expires_at: 2 })}`;
    expect(readStoredSession(refreshed)).toEqual({ accessToken: "two", expiresAt: 2 });
    expect(readStoredSession(first)).toEqual({ accessToken: "one", expiresAt: 1 });
  });

  it("answers correctly past the bound of its memory, where old entries are dropped", () => {
    for (let i = 0; i < 2500; i++) {
      expect(readStoredSession(`sb-127-auth-token=${encode({ access_token: `t${i}`, expires_at: i })}`).accessToken).toBe(`t${i}`);
    }
  });
});
