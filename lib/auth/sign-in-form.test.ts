import { describe, expect, it } from "vitest";
import { GOOGLE_PROMPTS, parseSignInForm } from "./sign-in-form";

function form(fields: [string, string | Blob][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

describe("parseSignInForm", () => {
  it("takes a provider and a safe next, without a prompt", () => {
    expect(parseSignInForm(form([["provider", "google"], ["next", "/settings"]]))).toEqual({
      ok: true,
      value: { provider: "google", next: "/settings", prompt: null },
    });
    expect(parseSignInForm(form([["provider", "apple"]]))).toEqual({ ok: true, value: { provider: "apple", next: "/", prompt: null } });
  });

  it.each(GOOGLE_PROMPTS)("accepts Google's prompt %j", (prompt) => {
    expect(parseSignInForm(form([["provider", "google"], ["prompt", prompt]]))).toEqual({
      ok: true,
      value: { provider: "google", next: "/", prompt },
    });
  });

  it("treats an empty prompt as none given", () => {
    expect(parseSignInForm(form([["provider", "google"], ["prompt", ""]]))).toMatchObject({ ok: true, value: { prompt: null } });
  });

  it.each([
    "login",
    "none consent",
    "select_account none",
    "consent consent",
    "Select_Account",
    " select_account",
    "select_account  consent",
    "select_account\tconsent",
    "consent&access_type=offline",
    "x".repeat(5000),
  ])("refuses prompt %j", (prompt) => {
    expect(parseSignInForm(form([["provider", "google"], ["prompt", prompt], ["next", "/account"]]))).toEqual({
      ok: false,
      error: "invalid_request",
      next: "/account",
    });
  });

  it("an unknown or missing provider is the provider error", () => {
    for (const fields of [[["provider", "github"]], [], [["provider", ""]], [["provider", "Google"]]] as [string, string][][]) {
      expect(parseSignInForm(form(fields))).toEqual({ ok: false, error: "provider", next: "/" });
    }
  });

  it("a field given twice or as a file is refused", () => {
    expect(parseSignInForm(form([["provider", "google"], ["provider", "apple"]]))).toMatchObject({ ok: false, error: "invalid_request" });
    expect(parseSignInForm(form([["provider", "google"], ["prompt", "consent"], ["prompt", "none"]]))).toMatchObject({ ok: false });
    expect(parseSignInForm(form([["provider", new Blob(["google"])]]))).toMatchObject({ ok: false, error: "provider" });
    expect(parseSignInForm(form([["provider", "google"], ["prompt", new Blob(["consent"])]]))).toMatchObject({ ok: false, error: "invalid_request" });
  });

  it("an unsafe next falls back to / without failing the form", () => {
    expect(parseSignInForm(form([["provider", "google"], ["next", "https://evil.example/"]]))).toEqual({
      ok: true,
      value: { provider: "google", next: "/", prompt: null },
    });
  });
});
