import { describe, expect, it } from "vitest";
import { claimsFromHookOutput, hookUri, MINIMUM_TOKEN_SCHEMA } from "./access-token-hook.ts";
import { AuthError } from "./errors.ts";

/** The claims the server hands the hook (a refresh of a Google user). */
const claims = {
  aal: "aal1",
  amr: [{ method: "oauth", timestamp: 1796456565 }],
  app_metadata: { provider: "google", providers: ["google"] },
  aud: "authenticated",
  email: "hook@example.com",
  exp: 1796457165,
  iat: 1796456565,
  is_anonymous: false,
  iss: "http://127.0.0.1:54321/auth/v1",
  phone: "",
  role: "authenticated",
  session_id: "0b9b1f7e-2c1d-4e3f-8a9b-1c2d3e4f5a6b",
  sub: "7b6b3c2e-6a55-4d5e-9f0e-2a8d1c3b4e5f",
  user_metadata: { full_name: "Hook Person" },
};
const event = { user_id: claims.sub, claims, authentication_method: "token_refresh" };

/** The hook's result as Postgres prints it; `undefined` stands for SQL NULL. */
function judge(result: unknown): { claims: Record<string, unknown> } | { error: AuthError } {
  const text = result === undefined ? null : typeof result === "string" && result.startsWith("raw:") ? result.slice(4) : JSON.stringify(result);
  try {
    return { claims: claimsFromHookOutput(text) };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return { error };
  }
}

function rejection(result: unknown): AuthError {
  const outcome = judge(result);
  if (!("error" in outcome)) throw new Error(`expected a rejection, got claims ${JSON.stringify(outcome.claims)}`);
  return outcome.error;
}

const withClaims = (change: Record<string, unknown>, drop: string[] = []) => {
  const next: Record<string, unknown> = { ...claims, ...change };
  for (const key of drop) delete next[key];
  return { ...event, claims: next };
};

const schemaError = (...lines: string[]) =>
  `output claims do not conform to the expected schema: \n${lines.map((l) => `- ${l}\n`).join("")}`;

/** A schema failure: 500, body code unexpected_failure, no x-sb-error-code header. */
function expectSchemaFailure(error: AuthError, ...lines: string[]) {
  expect({ status: error.status, code: error.code, header: error.codeHeader, message: error.message }).toEqual({
    status: 500,
    code: "unexpected_failure",
    header: false,
    message: schemaError(...lines),
  });
}

describe("claims the hook returns unchanged or extended are signed as returned", () => {
  it("the event itself (the claims untouched)", () => {
    expect(judge(event)).toEqual({ claims });
  });

  it("a claim with nested arrays and objects passes through unchanged", () => {
    const groups = ["a", { b: 1, c: [[], {}, null, 2.5, "x"] }];
    expect(judge(withClaims({ groups }))).toEqual({ claims: { ...claims, groups } });
  });

  it("other keys next to claims are ignored", () => {
    expect(judge({ ...event, extra: [1, 2], metadata: { a: 1 } })).toEqual({ claims });
  });
});

describe("claims of the wrong type", () => {
  it.each([
    ["sub", 42, "sub: Invalid type. Expected: string, given: integer"],
    ["aud", { name: "authenticated" }, "aud: Invalid type. Expected: [string,array], given: object"],
    ["aud", 7, "aud: Invalid type. Expected: [string,array], given: integer"],
    ["aud", null, "aud: Invalid type. Expected: [string,array], given: null"],
    ["exp", "1796457165", "exp: Invalid type. Expected: integer, given: string"],
    ["exp", 1796457165.5, "exp: Invalid type. Expected: integer, given: number"],
    ["iat", "now", "iat: Invalid type. Expected: integer, given: string"],
    ["iat", true, "iat: Invalid type. Expected: integer, given: boolean"],
    ["nbf", "soon", "nbf: Invalid type. Expected: integer, given: string"],
    ["iss", 1, "iss: Invalid type. Expected: string, given: integer"],
    ["jti", ["x"], "jti: Invalid type. Expected: string, given: array"],
    ["role", ["authenticated"], "role: Invalid type. Expected: string, given: array"],
    ["aal", 1, "aal: Invalid type. Expected: string, given: integer"],
    ["email", null, "email: Invalid type. Expected: string, given: null"],
    ["phone", 5551234, "phone: Invalid type. Expected: string, given: integer"],
    ["session_id", { id: "x" }, "session_id: Invalid type. Expected: string, given: object"],
    ["client_id", false, "client_id: Invalid type. Expected: string, given: boolean"],
    ["app_metadata", ["google"], "app_metadata: Invalid type. Expected: object, given: array"],
    ["user_metadata", "Hook Person", "user_metadata: Invalid type. Expected: object, given: string"],
    ["amr", "oauth", "amr: Invalid type. Expected: array, given: string"],
    ["amr", { method: "oauth" }, "amr: Invalid type. Expected: array, given: object"],
  ])("%s = %j → %s", (claim, value, line) => {
    expectSchemaFailure(rejection(withClaims({ [claim]: value })), line);
  });

  it.each([
    [1, "integer"],
    [null, "null"],
    [["oauth"], "array"],
    [true, "boolean"],
  ])("an amr entry %j fails anyOf and reports the first alternative (string, given %s)", (entry, given) => {
    expectSchemaFailure(
      rejection(withClaims({ amr: ["password", entry] })),
      "amr.1: Must validate at least one schema (anyOf)",
      `amr.1: Invalid type. Expected: string, given: ${given}`,
    );
  });

  it("every complaint is listed: missing claims in the required order first, then wrong types in schema order", () => {
    const error = rejection(withClaims({ sub: 1, aud: {}, amr: [2], role: [] }, ["session_id", "iat", "is_anonymous"]));
    expectSchemaFailure(
      error,
      "(root): iat is required",
      "(root): session_id is required",
      "(root): is_anonymous is required",
      "aud: Invalid type. Expected: [string,array], given: object",
      "sub: Invalid type. Expected: string, given: integer",
      "role: Invalid type. Expected: string, given: array",
      "amr.0: Must validate at least one schema (anyOf)",
      "amr.0: Invalid type. Expected: string, given: integer",
    );
  });
});

describe("values the schema lets through", () => {
  it.each([
    ["aal", "aal3"],
    ["aal", ""],
    ["role", "service_role"],
    ["is_anonymous", "yes"],
    ["is_anonymous", null],
    ["is_anonymous", 0],
    ["amr", ["pwd", "mfa"]],
    ["amr", []],
    ["aud", ["authenticated", "other"]],
    ["aud", [1, null]],
    ["session_id", ""],
    ["app_metadata", {}],
  ])("%s = %j", (claim, value) => {
    expect(judge(withClaims({ [claim]: value }))).toEqual({ claims: { ...claims, [claim]: value } });
  });
});

it("a whole number written with a fraction (Postgres keeps 1796457165.0) is an integer", () => {
  const text = JSON.stringify(withClaims({})).replace(`"exp":${claims.exp}`, `"exp":${claims.exp}.0`);
  expect(text).toContain(".0");
  expect(judge(`raw:${text}`)).toEqual({ claims });
});

describe("required claims", () => {
  it.each(MINIMUM_TOKEN_SCHEMA.required.map((claim) => [claim]))("without %s → (root): %s is required", (claim) => {
    expectSchemaFailure(rejection(withClaims({}, [claim])), `(root): ${claim} is required`);
  });

  it.each([["iss"], ["amr"], ["app_metadata"], ["user_metadata"], ["jti"], ["nbf"], ["client_id"]])("%s may be dropped", (claim) => {
    const rest: Record<string, unknown> = { ...claims };
    delete rest[claim];
    expect(judge(withClaims({}, [claim]))).toEqual({ claims: rest });
  });

  it("a required claim set to null is present, but of the wrong type", () => {
    expectSchemaFailure(rejection(withClaims({ sub: null })), "sub: Invalid type. Expected: string, given: null");
  });
});

describe("the documented error object", () => {
  const answer = (error: AuthError) => ({ status: error.status, code: error.code, header: error.codeHeader, message: error.message });

  it.each([
    [403, "unknown"],
    [400, "unknown"],
    [401, "unknown"],
    [429, "unknown"],
    [422, "unknown"],
    [503, "unknown"],
    [500, "unexpected_failure"],
    [200, "unknown"],
  ])("http_code %s → that status, body code %s, no x-sb-error-code", (httpCode, code) => {
    const error = rejection({ error: { http_code: httpCode, message: "Not allowed here" } });
    expect(answer(error)).toEqual({ status: httpCode, code, header: false, message: "Not allowed here" });
  });

  it.each([[0], [null]])("http_code %j → 500", (httpCode) => {
    const error = rejection({ error: { http_code: httpCode, message: "Nope" } });
    expect(answer(error)).toEqual({ status: 500, code: "unexpected_failure", header: false, message: "Nope" });
  });

  it("without http_code → 500", () => {
    expect(answer(rejection({ error: { message: "Nope" } }))).toEqual({
      status: 500,
      code: "unexpected_failure",
      header: false,
      message: "Nope",
    });
  });

  it.each([[99], [1000], [-403], [2 ** 70]])("http_code %s, which no response can carry → 500", (httpCode) => {
    expect(rejection({ error: { http_code: httpCode, message: "Nope" } }).status).toBe(500);
  });

  it("wins over valid claims next to it", () => {
    expect(rejection({ ...event, error: { http_code: 401, message: "Go away" } }).status).toBe(401);
  });

  it("keys match regardless of letter case", () => {
    expect(answer(rejection({ Error: { HTTP_Code: 418, Message: "Teapot" } }))).toEqual({
      status: 418,
      code: "unknown",
      header: false,
      message: "Teapot",
    });
  });

  it.each([
    ["without a message", { http_code: 403 }],
    ["with an empty message", { http_code: 403, message: "" }],
    ["with a null message", { http_code: 403, message: null }],
    ["with a message that is not a string", { http_code: 403, message: 5 }],
    ["with http_code as a string", { http_code: "403", message: "Nope" }],
    ["with a fractional http_code", { http_code: 403.5, message: "Nope" }],
  ])("%s is no error: the claims next to it are used", (_name, error) => {
    expect(judge({ ...event, error })).toEqual({ claims });
  });

  it.each([
    ["null", null],
    ["a string", "Nope"],
    ["an array", [{ http_code: 403, message: "Nope" }]],
  ])("an error that is %s is no error", (_name, error) => {
    expect(judge({ ...event, error })).toEqual({ claims });
  });

  it("without a message and without claims → output claims field is missing", () => {
    expect(answer(rejection({ error: { http_code: 403 } }))).toEqual({
      status: 500,
      code: "unexpected_failure",
      header: false,
      message: "output claims field is missing",
    });
  });
});

describe("results that are not an object with claims", () => {
  const unreadable = { status: 500, code: "unexpected_failure", header: true, message: "Error unmarshaling JSON output." };
  const missing = { status: 500, code: "unexpected_failure", header: false, message: "output claims field is missing" };
  const answer = (error: AuthError) => ({ status: error.status, code: error.code, header: error.codeHeader, message: error.message });

  it.each([
    ["an empty array", []],
    ["an array of the event", [event]],
    ["a string", "claims"],
    ["a number", 42],
    ["a boolean", true],
    ["claims as a string", { claims: "x" }],
    ["claims as an array", { claims: [claims] }],
    ["claims as a number", { claims: 1 }],
    ["a number too large for a 64-bit float", `raw:{"claims": ${JSON.stringify(claims)}, "big": 1${"0".repeat(400)}}`],
  ])("%s → Error unmarshaling JSON output., with x-sb-error-code", (_name, result) => {
    expect(answer(rejection(result))).toEqual(unreadable);
  });

  it.each([
    ["JSON null", null],
    ["an empty object", {}],
    ["an object without claims", { user_id: claims.sub }],
    ["claims under another letter case", { Claims: claims }],
  ])("%s → output claims field is missing, without x-sb-error-code", (_name, result) => {
    expect(answer(rejection(result))).toEqual(missing);
  });

  it("SQL NULL → the schema rejects the document itself", () => {
    expectSchemaFailure(rejection(undefined), "(root): Invalid type. Expected: object, given: null");
  });

  it("claims: null → the schema rejects the document itself", () => {
    expectSchemaFailure(rejection({ claims: null }), "(root): Invalid type. Expected: object, given: null");
  });
});

describe("hookUri", () => {
  it("names the function as the config's pg-functions URI does", () => {
    expect(hookUri('"public"."custom_access_token_hook"')).toBe("pg-functions://postgres/public/custom_access_token_hook");
  });
});
