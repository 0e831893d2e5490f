import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { otpauthUri, qrCodeSvg, totpCodeValid } from "./api/factors.ts";

describe("otpauthUri", () => {
  it("has the shape of transcript 13 (issuer = site host, sorted query)", () => {
    expect(otpauthUri("localhost:3000", "mfa@example.com", "ABC")).toBe(
      "otpauth://totp/localhost:3000:mfa@example.com?algorithm=SHA1&digits=6&issuer=localhost:3000&period=30&secret=ABC",
    );
  });

  it("escapes like Go's URL path and PathEscape", () => {
    expect(otpauthUri("My App", "a b?@x.com", "S")).toBe(
      "otpauth://totp/My%20App:a%20b%3F@x.com?algorithm=SHA1&digits=6&issuer=My%20App&period=30&secret=S",
    );
  });
});

describe("totpCodeValid", () => {
  const secret = new Secret({ size: 20 }).base32;
  const at = Date.UTC(2030, 0, 1, 0, 0, 15);
  const codeAt = (timestamp: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp });

  it("accepts the current step and one step on either side", () => {
    expect(totpCodeValid(secret, codeAt(at), at)).toBe(true);
    expect(totpCodeValid(secret, codeAt(at - 30_000), at)).toBe(true);
    expect(totpCodeValid(secret, codeAt(at + 30_000), at)).toBe(true);
    expect(totpCodeValid(secret, ` ${codeAt(at)} `, at)).toBe(true);
  });

  it("rejects codes two steps away and malformed codes", () => {
    expect(totpCodeValid(secret, codeAt(at - 60_000), at)).toBe(false);
    expect(totpCodeValid(secret, "12345", at)).toBe(false);
    expect(totpCodeValid(secret, "abcdef", at)).toBe(false);
  });
});

describe("qrCodeSvg", () => {
  it("is an SVG document of squares", () => {
    const svg = qrCodeSvg("otpauth://totp/localhost:3000:mfa@example.com?secret=ABC");
    expect(svg.startsWith('<?xml version="1.0"?>')).toBe(true);
    expect(svg).toContain("<svg width=");
    expect(svg).toContain('style="fill:black;stroke:none"');
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });
});
