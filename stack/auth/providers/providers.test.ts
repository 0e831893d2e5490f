import { describe, expect, it } from "vitest";
import { parseQuery } from "../redirect.ts";
import { appleAuthorizationUrl, appleUserData, applyAppleUserField } from "./apple.ts";
import { googleAuthorizationUrl, googleUserData } from "./google.ts";
import { identityData } from "./index.ts";

describe("googleAuthorizationUrl", () => {
  it("sorts the parameters and forwards every extra one, redirect_to included", () => {
    const url = googleAuthorizationUrl("http://idp/google/authorize", {
      clientId: "spike-google-client",
      redirectUri: "http://127.0.0.1:59999/callback",
      scopes: "",
      state: "S",
      extra: parseQuery("redirect_to=http%3A%2F%2Flocalhost%3A3000%2Fauth%2Fcallback").values,
    });
    expect(url).toBe(
      "http://idp/google/authorize?client_id=spike-google-client&redirect_to=http%3A%2F%2Flocalhost%3A3000%2Fauth%2Fcallback" +
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A59999%2Fcallback&response_type=code&scope=email+profile&state=S",
    );
  });

  it("appends requested scopes and lets extra parameters override standard ones", () => {
    const url = new URL(
      googleAuthorizationUrl("http://idp/authorize?x=1", {
        clientId: "c",
        redirectUri: "r",
        scopes: "openid",
        state: "S",
        extra: parseQuery("state=mine&prompt=consent&prompt=none").values,
      }),
    );
    expect(url.searchParams.get("scope")).toBe("email profile openid");
    expect(url.searchParams.get("state")).toBe("mine");
    expect(url.searchParams.getAll("prompt")).toEqual(["consent"]);
    expect(url.searchParams.get("x")).toBe("1");
  });
});

describe("appleAuthorizationUrl", () => {
  it("asks for email name with form_post", () => {
    expect(appleAuthorizationUrl("http://idp/apple/authorize", { clientId: "spike.apple.client", redirectUri: "http://a/callback", state: "S" })).toBe(
      "http://idp/apple/authorize?client_id=spike.apple.client&redirect_uri=http%3A%2F%2Fa%2Fcallback&response_mode=form_post&response_type=code&scope=email+name&state=S",
    );
  });
});

describe("identityData", () => {
  it("has Google's keys as the transcripts show them", () => {
    const data = googleUserData(
      { sub: "g-1", name: "Spike User", picture: "https://example.com/a.png", email: "ada@example.com", email_verified: true },
      "https://accounts.google.com",
    );
    expect(data.emails).toEqual([{ email: "ada@example.com", verified: true, primary: true }]);
    expect(identityData({ ...data.claims, email: "ada@example.com", email_verified: true })).toEqual({
      avatar_url: "https://example.com/a.png",
      email: "ada@example.com",
      email_verified: true,
      full_name: "Spike User",
      iss: "https://accounts.google.com",
      name: "Spike User",
      phone_verified: false,
      picture: "https://example.com/a.png",
      provider_id: "g-1",
      sub: "g-1",
    });
  });

  it("reads Google's legacy v2 userinfo fields and leaves out empty ones", () => {
    const data = googleUserData({ id: "123", email: "a@b.c", verified_email: true, hd: "b.c" }, "https://accounts.google.com");
    expect(identityData({ ...data.claims, email: "a@b.c", email_verified: true })).toEqual({
      custom_claims: { hd: "b.c" },
      email: "a@b.c",
      email_verified: true,
      iss: "https://accounts.google.com",
      phone_verified: false,
      provider_id: "123",
      sub: "123",
    });
  });

  it("has Apple's keys, the name only from the user field", () => {
    const base = appleUserData(
      { iss: "https://appleid.apple.com", sub: "a-1", email: "grace@example.com", is_private_email: false, auth_time: 1 },
      "https://appleid.apple.com",
    );
    const first = applyAppleUserField(base, '{"name":{"firstName":"Spike","lastName":"Apple"},"email":"grace@example.com"}');
    expect(identityData({ ...first.claims, email: "grace@example.com", email_verified: true })).toEqual({
      custom_claims: { is_private_email: false },
      email: "grace@example.com",
      email_verified: true,
      full_name: "Spike Apple",
      iss: "https://appleid.apple.com",
      name: "Spike Apple",
      phone_verified: false,
      provider_id: "a-1",
      sub: "a-1",
    });
    expect(identityData({ ...base.claims, email: "grace@example.com", email_verified: true })).not.toHaveProperty("name");
  });
});

describe("applyAppleUserField", () => {
  const base = appleUserData({ sub: "a-1", email: "x@y.z" }, "https://appleid.apple.com");
  it("trims a missing half of the name", () => {
    expect(applyAppleUserField(base, '{"name":{"firstName":"Solo"}}').claims.full_name).toBe("Solo");
  });
  it("reports Go's JSON errors", () => {
    expect(() => applyAppleUserField(base, "{oops")).toThrow("invalid character 'o' looking for beginning of object key string");
    expect(() => applyAppleUserField(base, '"str"')).toThrow("json: cannot unmarshal string into Go value of type provider.appleUser");
    expect(() => applyAppleUserField(base, '{"name":"x"}')).toThrow(
      "json: cannot unmarshal string into Go struct field appleUser.name of type provider.appleName",
    );
  });
});
