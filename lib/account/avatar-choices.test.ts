import { describe, expect, it } from "vitest";
import { avatarOptions, emailProvider, initialsOf, providerLabel, selectedAvatar } from "./avatar-choices";

const google = { provider: "google", email: "ada@example.com", picture: "https://example.com/g.png" };
const apple = { provider: "apple", email: "ada@privaterelay.appleid.com", picture: null };

describe("avatarOptions", () => {
  it("one option per identity picture, then initials; Apple has no picture", () => {
    expect(avatarOptions([google, apple])).toEqual([
      { kind: "picture", url: "https://example.com/g.png", provider: "google", label: "Google picture" },
      { kind: "initials", url: null, label: "Initials" },
    ]);
    expect(avatarOptions([])).toEqual([{ kind: "initials", url: null, label: "Initials" }]);
  });

  it("the same URL twice is offered once; two pictures of one provider are numbered", () => {
    const second = { provider: "google", email: "ada2@example.com", picture: "https://example.com/g2.png" };
    expect(avatarOptions([google, { ...google, email: "x@example.com" }, second]).map((o) => o.label)).toEqual([
      "Google picture 1",
      "Google picture 2",
      "Initials",
    ]);
  });

  it("selectedAvatar: the stored URL's option, initials for null, nothing for a URL no longer offered", () => {
    const options = avatarOptions([google]);
    expect(selectedAvatar(options, "https://example.com/g.png")?.label).toBe("Google picture");
    expect(selectedAvatar(options, null)?.kind).toBe("initials");
    expect(selectedAvatar(options, "https://example.com/old.png")).toBeNull();
  });
});

describe("initialsOf", () => {
  it("first and last word, upper-cased; one word gives one letter", () => {
    expect(initialsOf("Ada Lovelace", "a@x.com")).toBe("AL");
    expect(initialsOf("ada king lovelace", "a@x.com")).toBe("AL");
    expect(initialsOf("Cher", "c@x.com")).toBe("C");
    expect(initialsOf("  élodie  ", "e@x.com")).toBe("É");
  });

  it("falls back to the email; never splits a code point", () => {
    expect(initialsOf(null, "zed@example.com")).toBe("Z");
    expect(initialsOf("   ", "zed@example.com")).toBe("Z");
    expect(initialsOf("🐉 🐉", "d@example.com")).toBe("D");
    expect(initialsOf("李 小龍", "l@example.com")).toBe("李小");
    expect(initialsOf(null, "")).toBe("?");
  });
});

describe("emailProvider and providerLabel", () => {
  it("the oldest identity with the account's email, case-insensitively, else the fallback", () => {
    expect(emailProvider([google, apple], "ADA@example.com", "apple")).toBe("google");
    expect(emailProvider([apple, google], "ada@example.com", null)).toBe("google");
    expect(emailProvider([apple], "ada@example.com", "google")).toBe("google");
    expect(emailProvider([], "", null)).toBeNull();
  });

  it("labels", () => {
    expect(providerLabel("google")).toBe("Google");
    expect(providerLabel("apple")).toBe("Apple");
    expect(providerLabel("github")).toBe("Github");
    expect(providerLabel(null)).toBe("—");
  });
});
