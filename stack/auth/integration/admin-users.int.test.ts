import { createHash, randomUUID } from "node:crypto";
import { TOTP } from "otpauth";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, api, localStack, signIn, uniqueEmail } from "./flows.ts";

/**
 * Admin-created users and soft deletion against the running local Auth server and its database: the rules
 * behind contract files 17 and 18, at edges the recordings do not show.
 */
const { secrets, urls } = localStack();
const sql = postgres(urls.db, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

const admin = (path: string, init: RequestInit = {}) => api(path, { ...init, key: secrets.service_role_key });
const digest = (value: string) => createHash("sha256").update(value).digest("base64url");

type Identity = { provider: string; id: string; email?: string; identity_data?: Record<string, unknown> };
type User = Record<string, unknown> & { id: string; identities: Identity[] };

describe("POST /admin/users", () => {
  it("creates a confirmed email user with an email identity, no confirmed_at until read back", async () => {
    const email = uniqueEmail("created");
    const res = await admin("/admin/users", {
      method: "POST",
      body: JSON.stringify({ email: email.toUpperCase(), email_confirm: true, user_metadata: { full_name: "Ada" } }),
    });
    expect(res.status).toBe(200);
    const user = (await res.json()) as User;
    expect(user.email).toBe(email);
    expect(user.email_confirmed_at).toEqual(expect.any(String));
    expect(user).not.toHaveProperty("confirmed_at");
    expect(user).not.toHaveProperty("last_sign_in_at");
    expect(user.user_metadata).toEqual({ full_name: "Ada", email_verified: true });
    expect(user.app_metadata).toEqual({ provider: "email", providers: ["email"] });
    expect(user.identities).toHaveLength(1);
    expect(user.identities[0]).toMatchObject({ provider: "email", id: user.id, email });
    const read = (await (await admin(`/admin/users/${user.id}`)).json()) as Record<string, unknown>;
    expect(read.confirmed_at).toBe(read.email_confirmed_at);
  });

  it("a phone user: the number without +, phone_confirmed_at, a phone identity without an email key", async () => {
    const phone = `1555${String(Date.now()).slice(-7)}`;
    const res = await admin("/admin/users", { method: "POST", body: JSON.stringify({ phone: `+${phone}`, phone_confirm: true }) });
    expect(res.status).toBe(200);
    const user = (await res.json()) as User;
    expect(user).toMatchObject({ email: "", phone, app_metadata: { provider: "phone", providers: ["phone"] }, user_metadata: {} });
    expect(user.phone_confirmed_at).toEqual(expect.any(String));
    expect(user).not.toHaveProperty("email_confirmed_at");
    expect(user.identities[0]).not.toHaveProperty("email");
    expect(user.identities[0]?.identity_data).toMatchObject({ phone, phone_verified: false });
  });

  it("refuses a duplicate email in any case with email_exists, and keeps the first user", async () => {
    const email = uniqueEmail("dup");
    const first = await admin("/admin/users", { method: "POST", body: JSON.stringify({ email }) });
    expect(first.status).toBe(200);
    const again = await admin("/admin/users", { method: "POST", body: JSON.stringify({ email: email.replace(/^./, (c) => c.toUpperCase()) }) });
    expect(again.status).toBe(422);
    expect(again.headers.get("x-sb-error-code")).toBe("email_exists");
    const rows = await sql`select count(*)::int as n from auth.users where lower(email) = ${email}`;
    expect(rows[0]?.n).toBe(1);
  });

  // Every field of AdminUserParams with a value of the wrong JSON type: Go's unmarshal message, nothing created.
  const wrongTypes: [string, unknown, string][] = [
    ["email", 42, "number into Go struct field AdminUserParams.email of type string"],
    ["phone", true, "bool into Go struct field AdminUserParams.phone of type string"],
    ["password", ["x"], "array into Go struct field AdminUserParams.password of type string"],
    ["email_confirm", "yes", "string into Go struct field AdminUserParams.email_confirm of type bool"],
    ["phone_confirm", 1, "number into Go struct field AdminUserParams.phone_confirm of type bool"],
    ["user_metadata", "ops", "string into Go struct field AdminUserParams.user_metadata of type map[string]interface {}"],
    ["app_metadata", [1], "array into Go struct field AdminUserParams.app_metadata of type map[string]interface {}"],
    ["ban_duration", 24, "number into Go struct field AdminUserParams.ban_duration of type string"],
    ["role", {}, "object into Go struct field AdminUserParams.role of type string"],
    ["id", 7, "number into Go struct field AdminUserParams.id of type string"],
  ];
  for (const [field, value, message] of wrongTypes) {
    it(`answers bad_json for ${field} = ${JSON.stringify(value)} on create and update`, async () => {
      const email = uniqueEmail(`type-${field}`);
      const body = { email, [field]: value };
      const created = await admin("/admin/users", { method: "POST", body: JSON.stringify(body) });
      expect(created.status).toBe(400);
      expect(await created.json()).toEqual({ code: "bad_json", message: `Could not parse request body as JSON: json: cannot unmarshal ${message}` });
      expect((await sql`select 1 from auth.users where email = ${email}`).length).toBe(0);

      const target = (await (await admin("/admin/users", { method: "POST", body: JSON.stringify({ email }) })).json()) as { id: string };
      const before = await sql`select raw_user_meta_data, email, updated_at from auth.users where id = ${target.id}`;
      const updated = await admin(`/admin/users/${target.id}`, { method: "PUT", body: JSON.stringify({ [field]: value }) });
      expect(updated.status).toBe(400);
      expect(((await updated.json()) as { code: string }).code).toBe("bad_json");
      expect(await sql`select raw_user_meta_data, email, updated_at from auth.users where id = ${target.id}`).toEqual(before);
    });
  }

  it("password sign-in reports a password below today's minimum as weak, still signing in", async () => {
    const email = uniqueEmail("weak");
    await admin("/admin/users", { method: "POST", body: JSON.stringify({ email, password: "abc", email_confirm: true }) });
    const res = await api("/token?grant_type=password", { method: "POST", body: JSON.stringify({ email, password: "abc" }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; weak_password: unknown };
    expect(body.access_token).toEqual(expect.any(String));
    expect(body.weak_password).toEqual({ message: "Password should be at least 6 characters.", reasons: ["length"] });
  });

  it("password sign-in refuses an unconfirmed email, a banned user and a missing address", async () => {
    const email = uniqueEmail("unconfirmed");
    const created = (await (await admin("/admin/users", { method: "POST", body: JSON.stringify({ email, password: "long enough" }) })).json()) as { id: string };
    const signInWith = (body: unknown) => api("/token?grant_type=password", { method: "POST", body: JSON.stringify(body) });
    let res = await signInWith({ email, password: "long enough" });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([400, "email_not_confirmed"]);
    await admin(`/admin/users/${created.id}`, { method: "PUT", body: JSON.stringify({ email_confirm: true, ban_duration: "1h" }) });
    res = await signInWith({ email, password: "wrong password" });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([400, "user_banned"]);
    res = await signInWith({ password: "long enough" });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([400, "validation_failed"]);
  });
});

describe("DELETE /admin/users/{id} with should_soft_delete", () => {
  it("soft-deletes a user with two identities and a verified factor: digests, no data, no factor, no session", async () => {
    const email = uniqueEmail("soft-two");
    const google = await signIn("google", email);
    // An Apple sign-in with the same email joins the same user: two identities.
    const apple = await signIn("apple", email);
    expect(apple.user.id).toBe(google.user.id);
    const id = google.user.id;
    const enrolled = await google.client.auth.mfa.enroll({ factorType: "totp", friendlyName: "Phone" });
    const factor = enrolled.data!;
    const totp = new TOTP({ secret: factor.totp.secret, digits: 6, period: 30, algorithm: "SHA1" });
    const challenge = await google.client.auth.mfa.challenge({ factorId: factor.id });
    const verified = await google.client.auth.mfa.verify({ factorId: factor.id, challengeId: challenge.data!.id, code: totp.generate() });
    expect(verified.error).toBeNull();
    const identitiesBefore = await sql<{ provider: string; provider_id: string }[]>`
      select provider, provider_id from auth.identities where user_id = ${id} order by provider`;
    expect(identitiesBefore.map((i) => i.provider)).toEqual(["apple", "google"]);

    const res = await admin(`/admin/users/${id}`, { method: "DELETE", body: JSON.stringify({ should_soft_delete: true }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});

    const user = (await (await admin(`/admin/users/${id}`)).json()) as User;
    expect(user.email).toBe(digest(id + email));
    expect(user.phone).toBe(digest(id).slice(0, 15));
    expect(user.new_email).toBe(digest(id));
    expect(user.deleted_at).toEqual(expect.any(String));
    expect(user.app_metadata).toEqual({});
    expect(user.user_metadata).toEqual({});
    expect(user).not.toHaveProperty("factors");
    const byProvider = Object.fromEntries(identitiesBefore.map((i) => [i.provider, i.provider_id]));
    for (const identity of user.identities) {
      const provider = identity.provider;
      expect(identity.id).toBe(digest(`${id}${provider}:${byProvider[provider]}`));
      expect(identity).not.toHaveProperty("identity_data");
      expect(identity).not.toHaveProperty("email");
    }
    expect((await sql`select 1 from auth.sessions where user_id = ${id}`).length).toBe(0);
    expect((await sql`select 1 from auth.mfa_factors where user_id = ${id}`).length).toBe(0);
    expect((await sql`select encrypted_password from auth.users where id = ${id}`)[0]?.encrypted_password).toBeNull();

    // The old session is gone: its token no longer reads the user, its refresh token no longer refreshes.
    const me = await api("/user", { token: google.session.access_token });
    expect([me.status, ((await me.json()) as { code: string }).code]).toEqual([403, "session_not_found"]);
    const refreshed = await api("/token?grant_type=refresh_token", {
      method: "POST",
      body: JSON.stringify({ refresh_token: google.session.refresh_token }),
    });
    expect(refreshed.status).toBe(400);

    // Both providers sign in to a new account; the soft-deleted row stays.
    const again = await signIn("apple", email);
    expect(again.user.id).not.toBe(id);
    expect(again.user.email).toBe(email);

    // A second soft delete changes nothing but is recorded; a hard delete still removes the row.
    const before = await sql`select email, deleted_at from auth.users where id = ${id}`;
    const repeat = await admin(`/admin/users/${id}`, { method: "DELETE", body: JSON.stringify({ should_soft_delete: true }) });
    expect(repeat.status).toBe(200);
    expect(await sql`select email, deleted_at from auth.users where id = ${id}`).toEqual(before);
    const hard = await admin(`/admin/users/${id}`, { method: "DELETE" });
    expect(hard.status).toBe(200);
    expect((await admin(`/admin/users/${id}`)).status).toBe(404);
  });

  it("a body that is not JSON or has should_soft_delete of the wrong type deletes nothing", async () => {
    const { data } = await adminClient().auth.admin.createUser({ email: uniqueEmail("soft-bad"), email_confirm: true });
    const id = data.user!.id;
    for (const body of ["{", JSON.stringify({ should_soft_delete: "yes" }), JSON.stringify([true])]) {
      const res = await admin(`/admin/users/${id}`, { method: "DELETE", body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("bad_json");
    }
    expect((await admin(`/admin/users/${id}`)).status).toBe(200);
  });

  it("an unknown user id is 404 either way", async () => {
    const res = await admin(`/admin/users/${randomUUID()}`, { method: "DELETE", body: JSON.stringify({ should_soft_delete: true }) });
    expect(res.status).toBe(404);
  });
});
