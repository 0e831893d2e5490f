import { describe, expect, it } from "vitest";
import {
  compileGlob,
  encodeQuery,
  hexEscapeNonAscii,
  isRedirectUrlValid,
  oauthErrorName,
  parseGoUrl,
  parseQuery,
  queryEscape,
  resolveReferrer,
  withErrorParams,
  withQueryParams,
  withTokenFragment,
} from "./redirect.ts";

const recording = { siteUrl: "http://localhost:3000", additionalRedirectUrls: ["http://localhost:3000/**"] };

describe("isRedirectUrlValid (the recording's settings)", () => {
  it.each([
    ["http://localhost:3000/auth/callback", true],
    ["http://localhost:3000", true],
    ["http://localhost:3000/a/b?next=/settings", true],
    ["http://localhost:4000/elsewhere", true], // same loopback site host: any port
    ["http://127.0.0.1:4444/cb", true], // any loopback IP, any port and path
    ["http://127.9.9.9/cb", true],
    ["http://[::1]:4444/cb", true],
    ["https://evil.example/cb", false],
    ["//evil.example", false],
    ["http://10.0.0.1/cb", false],
    ["http://2130706433/", false],
    ["\thttps://2130706433/", false],
    ["https://2130706433/%zz", false],
    ["http://localhost:3000 /x", false],
    ["https://localhost:3000/cb", false], // scheme differs and no pattern matches
    ["", false],
  ])("%j → %s", (target, valid) => {
    expect(isRedirectUrlValid(recording, target)).toBe(valid);
  });

  it("matches the allow list as globs with . and / as separators", () => {
    const config = {
      siteUrl: "https://app.example.org",
      additionalRedirectUrls: ["https://*.example.com/**", "com.example.app://callback", "com.my_cool_app.example://callback"],
    };
    expect(isRedirectUrlValid(config, "https://app.example.com/x/y")).toBe(true);
    expect(isRedirectUrlValid(config, "https://a.b.example.com/x")).toBe(false);
    expect(isRedirectUrlValid(config, "https://evil.com/?r=https://app.example.com/")).toBe(false);
    expect(isRedirectUrlValid(config, "com.example.app://callback")).toBe(true);
    // Not a URL Go can parse (underscore in the scheme), still allowed by its exact pattern.
    expect(isRedirectUrlValid(config, "com.my_cool_app.example://callback")).toBe(true);
    // The fragment is not part of the match.
    expect(isRedirectUrlValid(config, "https://app.example.com/cb#anything")).toBe(true);
    expect(isRedirectUrlValid(config, "https://app.example.org:8443/cb")).toBe(false); // port differs, not loopback
  });
});

describe("resolveReferrer", () => {
  it("prefers a valid redirect_to, then a valid Referer, then the bare site URL", () => {
    expect(resolveReferrer(recording, "http://localhost:3000/cb", "http://localhost:3000/ref")).toBe("http://localhost:3000/cb");
    expect(resolveReferrer(recording, "https://evil.example/cb", "http://localhost:3000/from-referer")).toBe(
      "http://localhost:3000/from-referer",
    );
    expect(resolveReferrer(recording, "https://evil.example/cb", "https://evil.example/")).toBe("http://localhost:3000");
    expect(resolveReferrer(recording, "", "")).toBe("http://localhost:3000");
  });
});

describe("compileGlob", () => {
  it("supports *, **, ?, classes and alternatives", () => {
    expect(compileGlob("http://localhost:3000/**")?.test("http://localhost:3000/a/b")).toBe(true);
    expect(compileGlob("http://localhost:3000/**")?.test("http://localhost:3000")).toBe(false);
    expect(compileGlob("http://*.test/*")?.test("http://a.test/x")).toBe(true);
    expect(compileGlob("http://*.test/*")?.test("http://a.test/x/y")).toBe(false);
    expect(compileGlob("http://?.test")?.test("http://a.test")).toBe(true);
    expect(compileGlob("http://[!b].test")?.test("http://b.test")).toBe(false);
    expect(compileGlob("http://[a-c].test")?.test("http://c.test")).toBe(true);
    expect(compileGlob("https://{app,admin}.example.com/**")?.test("https://admin.example.com/x")).toBe(true);
    expect(compileGlob("https://{app,admin}.example.com/**")?.test("https://api.example.com/x")).toBe(false);
    expect(compileGlob("http://a\\*b")?.test("http://a*b")).toBe(true);
    expect(compileGlob("http://{a,b")).toBeNull();
  });
});

describe("parseGoUrl", () => {
  it("reads host and port like Go", () => {
    expect(parseGoUrl("http://localhost:3000/x?y#z")).toEqual({ scheme: "http", host: "localhost:3000", hostname: "localhost", port: "3000" });
    expect(parseGoUrl("HTTP://[::1]:80/")).toEqual({ scheme: "http", host: "[::1]:80", hostname: "::1", port: "80" });
    expect(parseGoUrl("//evil.example")).toMatchObject({ scheme: "", hostname: "evil.example" });
    expect(parseGoUrl("mailto:a@b")).toMatchObject({ scheme: "mailto", hostname: "" });
  });
  it("fails where Go fails", () => {
    expect(parseGoUrl("http://a:b/")).toBeNull(); // invalid port
    expect(parseGoUrl("http://a\\b/")).toBeNull(); // invalid host character
    expect(parseGoUrl("https:/\\2130706433/")).not.toBeNull(); // a path, no host: refused later by the scheme check
    expect(parseGoUrl("http://x/%zz")).toBeNull();
    expect(parseGoUrl(":foo")).toBeNull();
    expect(parseGoUrl("a_b://x")).toBeNull(); // first path segment cannot contain a colon
  });
});

describe("query strings", () => {
  it("escapes like Go's QueryEscape", () => {
    expect(queryEscape("a b/c:é~")).toBe("a+b%2Fc%3A%C3%A9~");
  });
  it("parses like Go's ParseQuery and encodes sorted", () => {
    const { values, ok } = parseQuery("b=2&a=1&bad=%zz&semi=1;2&c&a=3");
    expect(ok).toBe(false);
    expect([...values.entries()]).toEqual([
      ["b", ["2"]],
      ["a", ["1", "3"]],
      ["c", [""]],
    ]);
    expect(encodeQuery(values)).toBe("a=1&a=3&b=2&c=");
  });
});

describe("withQueryParams", () => {
  it("adds the code to the bare site URL without adding a slash", () => {
    expect(withQueryParams("http://localhost:3000", { code: "C" })).toBe("http://localhost:3000?code=C");
  });
  it("re-encodes an existing query in alphabetical order", () => {
    expect(withQueryParams("http://localhost:3000/a/b?next=/settings", { code: "C" })).toBe(
      "http://localhost:3000/a/b?code=C&next=%2Fsettings",
    );
  });
  it("keeps the fragment", () => {
    expect(withQueryParams("http://localhost:3000/cb#top", { code: "C" })).toBe("http://localhost:3000/cb?code=C#top");
  });
});

describe("withErrorParams", () => {
  it("puts Supabase errors in the query and, escaped twice, in the fragment", () => {
    expect(
      withErrorParams("http://localhost:3000/auth/callback", {
        error: "server_error",
        description: "Unable to exchange external code: ffff",
        code: "unexpected_failure",
      }),
    ).toBe(
      "http://localhost:3000/auth/callback?error=server_error&error_code=unexpected_failure&error_description=Unable+to+exchange+external+code%3A+ffff" +
        "#error=server_error&error_code=unexpected_failure&error_description=Unable+to+exchange+external+code%253A+ffff&sb=",
    );
  });
  it("keeps an empty description in the query only; provider errors have no error_code", () => {
    expect(withErrorParams("http://localhost:3000/auth/callback", { error: "user_cancelled_authorize", description: "" })).toBe(
      "http://localhost:3000/auth/callback?error=user_cancelled_authorize&error_description=#error=user_cancelled_authorize&sb=",
    );
  });
  it("keeps the target's own query parameters", () => {
    expect(withErrorParams("http://localhost:3000/a?next=/x", { error: "access_denied", description: "User is banned", code: "user_banned" })).toBe(
      "http://localhost:3000/a?error=access_denied&error_code=user_banned&error_description=User+is+banned&next=%2Fx" +
        "#error=access_denied&error_code=user_banned&error_description=User+is+banned&sb=",
    );
  });
});

describe("withTokenFragment (the implicit flow)", () => {
  const tokens = { access_token: "a.b.c", token_type: "bearer", expires_in: "600", expires_at: "1700000600", refresh_token: "r1", provider_token: "p:1/x" };
  const fragment = "access_token=a.b.c&expires_at=1700000600&expires_in=600&provider_token=p%3A1%2Fx&refresh_token=r1&sb=&token_type=bearer";

  it("appends the tokens, sorted and with sb=, after a query it leaves as it is", () => {
    expect(withTokenFragment("http://localhost:3000/auth/callback?next=/settings", tokens)).toBe(
      `http://localhost:3000/auth/callback?next=/settings#${fragment}`,
    );
  });
  it("needs no query: the fragment follows the path, or the bare site URL", () => {
    expect(withTokenFragment("http://localhost:3000/auth/callback", tokens)).toBe(`http://localhost:3000/auth/callback#${fragment}`);
    expect(withTokenFragment("http://localhost:3000", tokens)).toBe(`http://localhost:3000#${fragment}`);
  });
  it("does not merge with a fragment the target already has", () => {
    expect(withTokenFragment("http://localhost:3000/cb?x=1#top", tokens)).toBe(`http://localhost:3000/cb?x=1#top#${fragment}`);
  });
  it("keeps provider_refresh_token when the provider gave one", () => {
    expect(withTokenFragment("http://x/cb", { ...tokens, provider_refresh_token: "pr" })).toContain("&expires_in=600&provider_refresh_token=pr&provider_token=");
  });
});

describe("oauthErrorName", () => {
  it("maps statuses and the access-denied codes", () => {
    expect(oauthErrorName(400, "bad_oauth_state")).toBe("invalid_request");
    expect(oauthErrorName(403, "user_banned")).toBe("access_denied");
    expect(oauthErrorName(422, "signup_disabled")).toBe("access_denied");
    expect(oauthErrorName(422, "identity_already_exists")).toBe("server_error");
    expect(oauthErrorName(500, "unexpected_failure")).toBe("server_error");
  });
});

describe("hexEscapeNonAscii", () => {
  it("percent-encodes non-ASCII bytes in lower case", () => {
    expect(hexEscapeNonAscii("http://x/é?a=b")).toBe("http://x/%c3%a9?a=b");
  });
});
