import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers";

const base = { nonce: "abc123", supabaseOrigin: "http://127.0.0.1:54321", formTargets: [], https: false, dev: false };

describe("securityHeaders", () => {
  it("builds a nonce CSP that forbids framing", () => {
    const csp = securityHeaders(base)["content-security-policy"];
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:54321");
  });
  it("sends HSTS only over https", () => {
    expect(securityHeaders(base)["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders({ ...base, https: true })["strict-transport-security"]).toMatch(/max-age=\d+/);
  });
  it("always sends the other hardening headers", () => {
    const h = securityHeaders(base);
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });
});
