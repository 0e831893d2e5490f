import type { Device } from "./device";

/** How a session's device reads in a list: "Firefox 140 on Linux", "Safari on iOS", "Unknown browser". */
export function deviceLabel(device: Device): string {
  const browser = device.browser ? `${device.browser}${device.browserVersion ? ` ${device.browserVersion}` : ""}` : "Unknown browser";
  return device.os ? `${browser} on ${device.os}` : browser;
}

const WHEN = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/**
 * A time as the account pages print it, in UTC: the server render and the browser must produce the same
 * text (a local time zone would differ between them and break hydration).
 */
export function formatWhen(iso: string | null): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : `${WHEN.format(date)} UTC`;
}

/** The assurance level in words: AAL2 means a second factor was used for this session. */
export function assuranceLabel(aal: string | null): string {
  if (aal === "aal2" || aal === "aal3") return "Two-factor";
  if (aal === "aal1") return "Single factor";
  return "—";
}
