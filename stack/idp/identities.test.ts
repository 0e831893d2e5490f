import { describe, expect, it } from "vitest";
import {
  createIdentityDirectory,
  loadSeededIdentities,
  nameFromEmail,
  parseSeededIdentities,
  splitName,
  subjectFor,
} from "./identities.ts";
import { SEEDED_IDENTITIES_FILE } from "./test-support.ts";

describe("identities", () => {
  it("derives stable subjects from the email", () => {
    expect(subjectFor("google", "ada@example.com")).toBe("google-b5fc85e55755f9e0");
    expect(subjectFor("apple", "grace@example.com")).toBe("apple-b533d4547eaa5a0f");
    expect(subjectFor("google", " ADA@example.com ")).toBe("google-b5fc85e55755f9e0");
  });

  it("makes names from emails and splits names", () => {
    expect(nameFromEmail("ada.l@example.com")).toBe("Ada L");
    expect(nameFromEmail("grace_brewster-hopper@example.com")).toBe("Grace Brewster Hopper");
    expect(splitName("Spike Apple")).toEqual({ givenName: "Spike", familyName: "Apple" });
    expect(splitName("Cher")).toEqual({ givenName: "Cher", familyName: "" });
  });

  it("ships the seeded people, including the development admin", async () => {
    const seeded = await loadSeededIdentities(SEEDED_IDENTITIES_FILE);
    expect(seeded.map((s) => [s.email, s.name])).toEqual([
      ["ada@example.com", "Ada Lovelace"],
      ["grace@example.com", "Grace Hopper"],
      ["alan@example.com", "Alan Turing"],
      ["admin@example.com", "Admin User"],
    ]);
    expect(await loadSeededIdentities(null)).toEqual([]);
  });

  it("resolves typed name, then seed, then default name, then the email", () => {
    const seeded = parseSeededIdentities([{ email: "Ada@Example.com", name: "Ada Lovelace", picture: "https://example.com/ada.png" }], "test");
    const withDefault = createIdentityDirectory(seeded, "Spike Apple");
    expect(withDefault.resolve("ada@example.com")).toEqual({
      email: "ada@example.com",
      name: "Ada Lovelace",
      givenName: "Ada",
      familyName: "Lovelace",
      picture: "https://example.com/ada.png",
    });
    expect(withDefault.resolve("ada@example.com", "Countess Ada").name).toBe("Countess Ada");
    expect(withDefault.resolve("ada@example.com", "Countess Ada").picture).toBe("https://example.com/ada.png");
    expect(withDefault.resolve("bob@example.com")).toEqual({
      email: "bob@example.com",
      name: "Spike Apple",
      givenName: "Spike",
      familyName: "Apple",
    });
    expect(createIdentityDirectory(seeded).resolve("bob.b@example.com").name).toBe("Bob B");
  });

  it("rejects a malformed identities file", () => {
    expect(() => parseSeededIdentities([{ email: "nope", name: "X" }], "bad.json")).toThrow(/bad\.json/);
    expect(() => parseSeededIdentities({ email: "a@b.c" }, "bad.json")).toThrow(/bad\.json/);
  });
});
