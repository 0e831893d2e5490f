import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config";

const valid = {
  NEXT_PUBLIC_SUPABASE_URL: "http://127.0.0.1:54321/",
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_x",
  APP_URL: "http://localhost:3000",
};

describe("parseConfig", () => {
  it("accepts a complete local environment", () => {
    const config = parseConfig(valid);
    expect(config.supabaseUrl).toBe("http://127.0.0.1:54321");
    expect(config.appOrigin).toBe("http://localhost:3000");
    expect(config.secureCookies).toBe(false);
  });

  it("uses Secure cookies outside localhost", () => {
    expect(parseConfig({ ...valid, APP_URL: "https://app.example.com" }).secureCookies).toBe(true);
  });

  it("names each missing or malformed variable", () => {
    expect(() => parseConfig({ APP_URL: "not a url" })).toThrow(ConfigError);
    try {
      parseConfig({ APP_URL: "not a url" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("NEXT_PUBLIC_SUPABASE_URL is missing");
      expect(message).toContain("NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is missing");
      expect(message).toContain("APP_URL must be an absolute http(s) URL");
    }
  });
});
