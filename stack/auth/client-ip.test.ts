import { describe, expect, it } from "vitest";
import { clientIp } from "./http.ts";

describe("clientIp", () => {
  it("takes the first non-empty X-Forwarded-For entry, as Supabase Auth does", () => {
    expect(clientIp("203.0.113.7, 10.0.0.1", "127.0.0.1")).toBe("203.0.113.7");
    expect(clientIp(" , 198.51.100.2", "127.0.0.1")).toBe("198.51.100.2");
    expect(clientIp(["2001:db8::1", "10.0.0.1"], "127.0.0.1")).toBe("2001:db8::1");
  });

  it("falls back to the connection's address, without the IPv4-mapped prefix", () => {
    expect(clientIp(undefined, "::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(clientIp("", "::1")).toBe("::1");
    expect(clientIp("not-an-ip", "127.0.0.1")).toBe("127.0.0.1");
  });
});
