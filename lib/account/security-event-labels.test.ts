import { describe, expect, it } from "vitest";
import { parseUserAgent } from "./device";
import { eventDevice, eventTitle, providerName } from "./security-event-labels";

const base = { provider: null, sessionCount: null, bySelf: true } as const;

describe("security event labels", () => {
  it("names providers as people know them", () => {
    expect(providerName("google")).toBe("Google");
    expect(providerName("apple")).toBe("Apple");
    expect(providerName("github")).toBe("github");
    expect(providerName(null)).toBeNull();
  });

  it("says what happened, with the provider and the count where the event has them", () => {
    expect(eventTitle({ ...base, kind: "signed_in", provider: "google" })).toBe("Signed in with Google");
    expect(eventTitle({ ...base, kind: "signed_in" })).toBe("Signed in");
    expect(eventTitle({ ...base, kind: "signed_out" })).toBe("Signed out");
    expect(eventTitle({ ...base, kind: "identity_linked", provider: "apple" })).toBe("Apple linked to your account");
    expect(eventTitle({ ...base, kind: "identity_unlinked", provider: "google" })).toBe("Google unlinked from your account");
    expect(eventTitle({ ...base, kind: "factor_added" })).toBe("Two-factor method added");
    expect(eventTitle({ ...base, kind: "factor_removed" })).toBe("Two-factor method removed");
    expect(eventTitle({ ...base, kind: "factor_removed", bySelf: false })).toBe("Two-factor method removed by an administrator");
    expect(eventTitle({ ...base, kind: "session_ended", sessionCount: 1 })).toBe("Signed out another device");
    expect(eventTitle({ ...base, kind: "other_sessions_ended", sessionCount: 1 })).toBe("Signed out of 1 other device");
    expect(eventTitle({ ...base, kind: "other_sessions_ended", sessionCount: 3 })).toBe("Signed out of 3 other devices");
    expect(eventTitle({ ...base, kind: "other_sessions_ended" })).toBe("Signed out of all other devices");
    expect(eventTitle({ ...base, kind: "sessions_revoked", sessionCount: 2, bySelf: false })).toBe("2 devices signed out by an administrator");
    expect(eventTitle({ ...base, kind: "sessions_revoked", bySelf: false })).toBe("Signed out everywhere by an administrator");
  });

  it("the device of a sign-in, the device a change came from, nothing without a user agent", () => {
    const device = parseUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0");
    expect(eventDevice({ kind: "signed_in", device })).toEqual({ label: "Device", value: "Firefox 140 on Linux" });
    expect(eventDevice({ kind: "session_ended", device })).toEqual({ label: "From", value: "Firefox 140 on Linux" });
    expect(eventDevice({ kind: "signed_in", device: null })).toBeNull();
  });
});
