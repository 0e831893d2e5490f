import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { api, localStack, signIn, uniqueEmail } from "./flows.ts";

/**
 * `PUT /user` and the token grants decode their bodies as Supabase Auth's Go structs do (contract file 20):
 * every field of the wrong JSON type, bodies that are not objects or not JSON, null metadata values, weak and
 * repeated passwords, an email change. A refused request changes nothing.
 */
const { urls } = localStack();
const sql = postgres(urls.db, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

type ErrorBody = { code: string; message: string; weak_password?: unknown };

describe("PUT /user", async () => {
  const email = uniqueEmail("put-user");
  const person = await signIn("google", email);
  const token = person.session.access_token;
  const put = (body: string) => api("/user", { method: "PUT", token, body });
  const snapshot = async () =>
    (await sql`select raw_user_meta_data, email, email_change, encrypted_password, updated_at from auth.users where id = ${person.user.id}`)[0];

  const wrongTypes: [string, unknown, string][] = [
    ["email", 1, "number into Go struct field UserUpdateParams.email of type string"],
    ["password", false, "bool into Go struct field UserUpdateParams.password of type string"],
    ["nonce", [], "array into Go struct field UserUpdateParams.nonce of type string"],
    ["data", "x", "string into Go struct field UserUpdateParams.data of type map[string]interface {}"],
    ["data", [1, 2], "array into Go struct field UserUpdateParams.data of type map[string]interface {}"],
    ["app_metadata", 3, "number into Go struct field UserUpdateParams.app_metadata of type map[string]interface {}"],
    ["phone", {}, "object into Go struct field UserUpdateParams.phone of type string"],
    ["channel", 9, "number into Go struct field UserUpdateParams.channel of type string"],
    ["code_challenge", true, "bool into Go struct field UserUpdateParams.code_challenge of type string"],
    ["code_challenge_method", 0, "number into Go struct field UserUpdateParams.code_challenge_method of type string"],
  ];
  for (const [field, value, message] of wrongTypes) {
    it(`bad_json for ${field} = ${JSON.stringify(value)}, nothing written`, async () => {
      const before = await snapshot();
      const res = await put(JSON.stringify({ data: { team: "kept?" }, [field]: value }));
      expect(res.status).toBe(400);
      expect(res.headers.get("x-sb-error-code")).toBe("bad_json");
      expect(await res.json()).toEqual({ code: "bad_json", message: `Could not parse request body as JSON: json: cannot unmarshal ${message}` });
      expect(await snapshot()).toEqual(before);
    });
  }

  it("a body that is not an object names the Go type; a cut or empty body is unexpected end of input", async () => {
    const cases: [string, string][] = [
      ['"hello"', "json: cannot unmarshal string into Go value of type api.UserUpdateParams"],
      ["[1]", "json: cannot unmarshal array into Go value of type api.UserUpdateParams"],
      ["42", "json: cannot unmarshal number into Go value of type api.UserUpdateParams"],
      ['{"data": {"a": "b', "unexpected end of JSON input"],
    ];
    for (const [body, message] of cases) {
      const res = await put(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).message).toBe(`Could not parse request body as JSON: ${message}`);
    }
    const empty = await api("/user", { method: "PUT", token, headers: { "content-type": "application/json" }, body: "" });
    expect(((await empty.json()) as ErrorBody).message).toBe("Could not parse request body as JSON: unexpected end of JSON input");
  });

  it("null metadata values remove the key; the body null changes nothing", async () => {
    let res = await put(JSON.stringify({ data: { team: "blue", level: 3 } }));
    expect(((await res.json()) as { user_metadata: Record<string, unknown> }).user_metadata).toMatchObject({ team: "blue", level: 3 });
    res = await put(JSON.stringify({ data: { team: null } }));
    const meta = ((await res.json()) as { user_metadata: Record<string, unknown> }).user_metadata;
    expect(meta).not.toHaveProperty("team");
    expect(meta.level).toBe(3);
    res = await put("null");
    expect(res.status).toBe(200);
  });

  it("a short password is weak_password with reasons and no x-sb-error-code; an over-long one is validation_failed", async () => {
    const before = await snapshot();
    const res = await put(JSON.stringify({ password: "abc" }));
    expect(res.status).toBe(422);
    expect(res.headers.get("x-sb-error-code")).toBeNull();
    expect(await res.json()).toEqual({
      code: "weak_password",
      message: "Password should be at least 6 characters.",
      weak_password: { reasons: ["length"] },
    });
    const long = await put(JSON.stringify({ password: "x".repeat(73) }));
    expect(long.status).toBe(400);
    expect(((await long.json()) as ErrorBody).message).toBe("Password cannot be longer than 72 characters");
    expect(await snapshot()).toEqual(before);
  });

  it("app_metadata is refused for users, with nothing changed", async () => {
    const before = await snapshot();
    const res = await put(JSON.stringify({ app_metadata: { role: "admin" }, data: { sneaky: true } }));
    expect([res.status, ((await res.json()) as ErrorBody).code]).toEqual([403, "not_admin"]);
    expect(await snapshot()).toEqual(before);
  });

  it("a new password signs out every other session, keeps this one, and may not be repeated", async () => {
    const other = await signIn("google", email);
    let res = await put(JSON.stringify({ password: "a fine password" }));
    expect(res.status).toBe(200);
    expect((await api("/user", { token })).status).toBe(200);
    const gone = await api("/user", { token: other.session.access_token });
    expect([gone.status, ((await gone.json()) as ErrorBody).code]).toEqual([403, "session_not_found"]);
    res = await put(JSON.stringify({ password: "a fine password" }));
    expect([res.status, ((await res.json()) as ErrorBody).code]).toEqual([422, "same_password"]);
  });

  it("an email change is pending (new_email, email_change_sent_at) and limited to one a minute", async () => {
    const next = uniqueEmail("put-user-new");
    let res = await put(JSON.stringify({ email: next }));
    expect(res.status).toBe(200);
    const user = (await res.json()) as Record<string, unknown>;
    expect(user.email).toBe(email);
    expect(user.new_email).toBe(next);
    expect(user.email_change_sent_at).toEqual(expect.any(String));
    res = await put(JSON.stringify({ email: uniqueEmail("put-user-again") }));
    expect(res.status).toBe(429);
    const body = (await res.json()) as ErrorBody;
    expect(body.code).toBe("over_email_send_rate_limit");
    expect(body.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    expect((await sql`select email_change from auth.users where id = ${person.user.id}`)[0]?.email_change).toBe(next);
  });

  it("an email another user holds is email_exists; a malformed one is validation_failed", async () => {
    const taken = uniqueEmail("put-user-taken");
    await signIn("google", taken);
    let res = await put(JSON.stringify({ email: taken }));
    expect([res.status, ((await res.json()) as ErrorBody).code]).toEqual([422, "email_exists"]);
    res = await put(JSON.stringify({ email: "not an email" }));
    expect([res.status, ((await res.json()) as ErrorBody).code]).toEqual([400, "validation_failed"]);
  });
});

describe("token grants decode their bodies the same way", () => {
  const grant = (type: string, body: string) => api(`/token?grant_type=${type}`, { method: "POST", body });
  for (const [type, field, struct] of [
    ["pkce", "auth_code", "PKCEGrantParams"],
    ["pkce", "code_verifier", "PKCEGrantParams"],
    ["refresh_token", "refresh_token", "RefreshTokenGrantParams"],
    ["password", "email", "PasswordGrantParams"],
    ["password", "password", "PasswordGrantParams"],
  ] as const) {
    it(`${type}: ${field} as a number is bad_json`, async () => {
      const res = await grant(type, JSON.stringify({ [field]: 5 }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).message).toBe(
        `Could not parse request body as JSON: json: cannot unmarshal number into Go struct field ${struct}.${field} of type string`,
      );
    });
  }

  it("a body that is not an object is bad_json naming the grant's struct", async () => {
    const res = await grant("refresh_token", "[]");
    expect(((await res.json()) as ErrorBody).message).toBe(
      "Could not parse request body as JSON: json: cannot unmarshal array into Go value of type api.RefreshTokenGrantParams",
    );
  });
});
