import { describe, expect, it } from "vitest";
import { auditMeta, auditMetaFromHeaders } from "./meta";

describe("auditMeta", () => {
  it("keeps valid values", () => {
    expect(auditMeta({ ip: "203.0.113.7", userAgent: "Mozilla/5.0", requestId: "req-1" })).toEqual({
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0",
      requestId: "req-1",
    });
    expect(auditMeta({ ip: "2001:db8::1" }).ip).toBe("2001:db8::1");
  });

  it("drops what the columns would refuse", () => {
    expect(auditMeta({ ip: "not-an-ip", requestId: "x".repeat(129) })).toEqual({ ip: null, userAgent: null, requestId: null });
    expect(auditMeta({ requestId: "has space" }).requestId).toBeNull();
    expect(auditMeta()).toEqual({ ip: null, userAgent: null, requestId: null });
  });

  it("cuts a long user agent to 1024 code points", () => {
    expect(Array.from(auditMeta({ userAgent: "é".repeat(2000) }).userAgent ?? "")).toHaveLength(1024);
    expect(auditMeta({ userAgent: "a\nb" }).userAgent).toBe("a b");
  });
});

describe("auditMetaFromHeaders", () => {
  it("reads the first forwarded address, the user agent and the request id", () => {
    const headers = new Headers({
      "x-forwarded-for": "198.51.100.2, 10.0.0.1",
      "user-agent": "Test/1.0",
      "x-request-id": "abc123",
    });
    expect(auditMetaFromHeaders(headers)).toEqual({ ip: "198.51.100.2", userAgent: "Test/1.0", requestId: "abc123" });
  });

  it("falls back to x-real-ip", () => {
    expect(auditMetaFromHeaders(new Headers({ "x-real-ip": "192.0.2.9" })).ip).toBe("192.0.2.9");
  });
});
