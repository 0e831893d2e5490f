import Bowser from "bowser";

export type DeviceType = "desktop" | "mobile" | "tablet" | "tv" | "bot";

/** What a user agent says about the device a session was started from. Every field may be unknown. */
export type Device = {
  browser: string | null;
  /** The major version only ("140"), as users know it. */
  browserVersion: string | null;
  /**
   * The name only: desktop browsers freeze the version they send (macOS stays 10.15.7, Windows 11 says
   * NT 10.0), so an OS version from a user agent would often be wrong.
   */
  os: string | null;
  type: DeviceType | null;
};

const DEVICE_TYPES: readonly string[] = ["desktop", "mobile", "tablet", "tv", "bot"] satisfies DeviceType[];

/**
 * Longer user agents are cut before parsing: the parser runs regular expressions over the whole string,
 * and a session's user agent is whatever its client sent (auth.sessions does not limit it).
 */
const MAX_PARSED_LENGTH = 512;

const UNKNOWN: Device = { browser: null, browserVersion: null, os: null, type: null };

const known = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : null);

/** Browser, OS and device type from a User-Agent header; all null for a missing or unrecognised one. */
export function parseUserAgent(userAgent: string | null | undefined): Device {
  const ua = userAgent?.slice(0, MAX_PARSED_LENGTH).trim() ?? "";
  if (ua === "") return UNKNOWN;
  const parsed = Bowser.parse(ua);
  const browser = known(parsed.browser.name);
  const major = known(parsed.browser.version)?.split(".")[0];
  const type = parsed.platform.type;
  return {
    browser,
    browserVersion: browser && major && /^\d+$/.test(major) ? major : null,
    os: known(parsed.os.name),
    type: type !== undefined && DEVICE_TYPES.includes(type) ? (type as DeviceType) : null,
  };
}

/** A short label for lists: "Chrome on macOS", "Firefox", "Android", or "Unknown device". */
export function describeDevice(device: Device): string {
  if (device.browser && device.os) return `${device.browser} on ${device.os}`;
  return device.browser ?? device.os ?? "Unknown device";
}
