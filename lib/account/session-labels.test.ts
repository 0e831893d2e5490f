import { describe, expect, it } from "vitest";
import { assuranceLabel, deviceLabel, formatWhen } from "./session-labels";

describe("deviceLabel", () => {
  it("browser with its major version, on the OS; unknown parts left out or named", () => {
    expect(deviceLabel({ browser: "Firefox", browserVersion: "140", os: "Linux", type: "desktop" })).toBe("Firefox 140 on Linux");
    expect(deviceLabel({ browser: "Safari", browserVersion: null, os: "iOS", type: "mobile" })).toBe("Safari on iOS");
    expect(deviceLabel({ browser: null, browserVersion: null, os: "Android", type: null })).toBe("Unknown browser on Android");
    expect(deviceLabel({ browser: null, browserVersion: null, os: null, type: null })).toBe("Unknown browser");
  });
});

describe("formatWhen", () => {
  it("UTC, the same text wherever it runs; nothing for missing or invalid times", () => {
    expect(formatWhen("2026-12-05T08:19:21.123456Z")).toBe("5 Dec 2026, 08:19 UTC");
    expect(formatWhen("2026-12-05T23:59:00-05:00")).toBe("6 Dec 2026, 04:59 UTC");
    expect(formatWhen(null)).toBe("—");
    expect(formatWhen("not a time")).toBe("—");
  });
});

describe("assuranceLabel", () => {
  it("names the levels", () => {
    expect(assuranceLabel("aal1")).toBe("Single factor");
    expect(assuranceLabel("aal2")).toBe("Two-factor");
    expect(assuranceLabel(null)).toBe("—");
  });
});
