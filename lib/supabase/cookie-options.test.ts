import { describe, expect, it } from "vitest";
import { browserHeaders } from "./cookie-options";

describe("browserHeaders", () => {
  it("passes on the browser's user agent and the first forwarded address", () => {
    const h = new Headers({ "user-agent": "Mozilla/5.0 Test", "x-forwarded-for": "203.0.113.7, 10.0.0.1" });
    expect(browserHeaders(h)).toEqual({ "user-agent": "Mozilla/5.0 Test", "x-forwarded-for": "203.0.113.7" });
  });

  it("accepts IPv6 and drops anything that is not an address", () => {
    expect(browserHeaders(new Headers({ "x-forwarded-for": "2001:db8::1" }))).toEqual({ "x-forwarded-for": "2001:db8::1" });
    expect(browserHeaders(new Headers({ "x-forwarded-for": "evil.example, 1.2.3.4" }))).toEqual({});
    expect(browserHeaders(new Headers({ "x-forwarded-for": "999.1.1.1" }))).toEqual({});
    expect(browserHeaders(new Headers())).toEqual({});
  });

  it("caps an over-long user agent", () => {
    expect(browserHeaders(new Headers({ "user-agent": "x".repeat(2000) }))["user-agent"]).toHaveLength(512);
  });
});
