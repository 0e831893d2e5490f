import { describe, expect, it } from "vitest";
import { describeDevice, parseUserAgent } from "./device";

const UA = {
  chromeMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  safariIpad:
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  edgeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
  chromeAndroid:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36",
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};

describe("parseUserAgent", () => {
  it("reads browser, major version, OS and device type of common browsers", () => {
    expect(parseUserAgent(UA.chromeMac)).toEqual({ browser: "Chrome", browserVersion: "140", os: "macOS", type: "desktop" });
    expect(parseUserAgent(UA.safariIphone)).toEqual({ browser: "Safari", browserVersion: "17", os: "iOS", type: "mobile" });
    expect(parseUserAgent(UA.safariIpad)).toEqual({ browser: "Safari", browserVersion: "17", os: "iOS", type: "tablet" });
    expect(parseUserAgent(UA.edgeWindows)).toEqual({ browser: "Microsoft Edge", browserVersion: "140", os: "Windows", type: "desktop" });
    expect(parseUserAgent(UA.firefoxLinux)).toEqual({ browser: "Firefox", browserVersion: "140", os: "Linux", type: "desktop" });
    expect(parseUserAgent(UA.chromeAndroid)).toEqual({ browser: "Chrome", browserVersion: "140", os: "Android", type: "mobile" });
  });

  it("knows a crawler when it sees one", () => {
    expect(parseUserAgent(UA.googlebot)).toMatchObject({ browser: "Googlebot", type: "bot" });
  });

  it("answers unknown for what is not a browser, and for nothing at all", () => {
    const unknown = { browser: null, browserVersion: null, os: null, type: null };
    // What a server-side fetch sends (Node's undici), as the Auth server records it for a server-side sign-in.
    expect(parseUserAgent("node")).toEqual(unknown);
    expect(parseUserAgent("curl/8.5.0")).toEqual(unknown);
    expect(parseUserAgent("")).toEqual(unknown);
    expect(parseUserAgent("   ")).toEqual(unknown);
    expect(parseUserAgent(null)).toEqual(unknown);
    expect(parseUserAgent(undefined)).toEqual(unknown);
  });

  it("parses only the start of an oversized user agent", () => {
    expect(parseUserAgent(`${UA.firefoxLinux} ${"x".repeat(100_000)}`)).toMatchObject({ browser: "Firefox", os: "Linux" });
    // A browser token past the cut is not read.
    expect(parseUserAgent(`${"x".repeat(600)} ${UA.firefoxLinux}`)).toMatchObject({ browser: null, os: null });
  });
});

describe("describeDevice", () => {
  it("names browser and OS when both are known, else whichever is", () => {
    expect(describeDevice(parseUserAgent(UA.chromeMac))).toBe("Chrome on macOS");
    expect(describeDevice({ browser: "Firefox", browserVersion: null, os: null, type: null })).toBe("Firefox");
    expect(describeDevice({ browser: null, browserVersion: null, os: "Android", type: "mobile" })).toBe("Android");
    expect(describeDevice(parseUserAgent("node"))).toBe("Unknown device");
  });
});
