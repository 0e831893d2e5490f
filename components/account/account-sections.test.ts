import { describe, expect, it } from "vitest";
import { ACCOUNT_SECTIONS, currentSection } from "./account-sections";

describe("currentSection", () => {
  it("Profile is /account itself", () => {
    expect(currentSection("/account")).toBe("/account");
  });

  it("a section's own path and its sub-paths belong to it; other paths to none", () => {
    const devices = { label: "Devices", href: "/account/devices" };
    const sections = [...ACCOUNT_SECTIONS, devices];
    expect(currentSection("/account/devices", sections)).toBe("/account/devices");
    expect(currentSection("/account/devices/x", sections)).toBe("/account/devices");
    expect(currentSection("/account/devicesx", sections)).toBe("/account");
    expect(currentSection("/admin")).toBeNull();
    expect(currentSection("/accounts")).toBeNull();
  });

  it("the nav lists the seven sections in order, Profile linked", () => {
    expect(ACCOUNT_SECTIONS.map((s) => s.label)).toEqual([
      "Profile",
      "Linked identities",
      "Devices and sessions",
      "Two-factor authentication",
      "Security activity",
      "Export my data",
      "Delete account",
    ]);
    expect(ACCOUNT_SECTIONS[0]?.href).toBe("/account");
  });
});
