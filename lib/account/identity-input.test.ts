import { describe, expect, it } from "vitest";
import { linkErrorFromCallback, linkIdentityInput, linkNotice, unlinkIdentityInput } from "./identity-input";

describe("identity inputs", () => {
  it("link takes google or apple and nothing else", () => {
    expect(linkIdentityInput.safeParse({ provider: "apple" }).success).toBe(true);
    expect(linkIdentityInput.safeParse({ provider: "github" }).success).toBe(false);
    expect(linkIdentityInput.safeParse({ provider: "apple", extra: 1 }).success).toBe(false);
    expect(linkIdentityInput.safeParse(null).success).toBe(false);
  });

  it("unlink takes a uuid identityId and nothing else", () => {
    expect(unlinkIdentityInput.safeParse({ identityId: "0b7c3f5e-4f7e-4a51-9b1e-2d9c8a6f1e20" }).success).toBe(true);
    expect(unlinkIdentityInput.safeParse({ identityId: "not-a-uuid" }).success).toBe(false);
    expect(unlinkIdentityInput.safeParse({ identityId: "0b7c3f5e-4f7e-4a51-9b1e-2d9c8a6f1e20", provider: "apple" }).success).toBe(false);
  });
});

describe("the outcome of a link", () => {
  it("the Auth server's server_error with identity_already_exists is the identity of another account", () => {
    const params = new URLSearchParams("error=server_error&error_code=identity_already_exists&error_description=Identity+is+already+linked+to+another+user");
    expect(linkErrorFromCallback(params)).toBe("identity_already_exists");
    expect(linkErrorFromCallback(new URLSearchParams("error=access_denied"))).toBe("cancelled");
    expect(linkErrorFromCallback(new URLSearchParams("error=server_error"))).toBe("failed");
    expect(linkErrorFromCallback(new URLSearchParams("code=abc"))).toBeNull();
  });

  it("the page says what happened, from known values only", () => {
    expect(linkNotice({ linked: "apple" })).toEqual({ kind: "status", text: "Apple is now linked: you can sign in with it." });
    expect(linkNotice({ link_error: "identity_already_exists", provider: "apple" })?.text).toMatch(/^That Apple ID already belongs to another account/);
    expect(linkNotice({ link_error: "identity_already_exists", provider: "google" })?.text).toMatch(/^That Google account already belongs to another account/);
    expect(linkNotice({ link_error: "<script>" })).toBeNull();
    expect(linkNotice({ linked: ["apple"] })).toBeNull();
    expect(linkNotice({})).toBeNull();
  });
});
