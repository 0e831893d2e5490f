import type { SecurityEvent } from "./list-security-events";
import { deviceLabel } from "./session-labels";

const PROVIDER_NAMES: Record<string, string> = { google: "Google", apple: "Apple", email: "email", phone: "phone" };

/** A provider as people know it: "Google", "Apple"; an unknown one as it was recorded. */
export function providerName(provider: string | null): string | null {
  if (!provider) return null;
  return PROVIDER_NAMES[provider] ?? provider;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What happened, in one line: "Signed in with Google", "Signed out of 2 other devices". */
export function eventTitle(event: Pick<SecurityEvent, "kind" | "provider" | "sessionCount" | "bySelf">): string {
  const provider = providerName(event.provider);
  const byStaff = event.bySelf ? "" : " by an administrator";
  switch (event.kind) {
    case "signed_in":
      return provider ? `Signed in with ${provider}` : "Signed in";
    case "signed_out":
      return "Signed out";
    case "identity_linked":
      return provider ? `${provider} linked to your account` : "Sign-in method linked";
    case "identity_unlinked":
      return provider ? `${provider} unlinked from your account` : "Sign-in method unlinked";
    case "factor_added":
      return "Two-factor method added";
    case "factor_removed":
      return `Two-factor method removed${byStaff}`;
    case "session_ended":
      return "Signed out another device";
    case "other_sessions_ended":
      return event.sessionCount === null ? "Signed out of all other devices" : `Signed out of ${plural(event.sessionCount, "other device")}`;
    case "sessions_revoked":
      return event.sessionCount === null ? "Signed out everywhere by an administrator" : `${plural(event.sessionCount, "device")} signed out by an administrator`;
  }
}

/**
 * The device line of an event: for a sign-in the device that signed in; for anything else the device the
 * change was made from. Null where the record has no user agent.
 */
export function eventDevice(event: Pick<SecurityEvent, "kind" | "device">): { label: string; value: string } | null {
  if (!event.device) return null;
  return { label: event.kind === "signed_in" ? "Device" : "From", value: deviceLabel(event.device) };
}
