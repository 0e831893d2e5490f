import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type APIResponse, type PlaywrightWorkerArgs } from "@playwright/test";
import { TOTP } from "otpauth";
import { APP_ORIGIN, signInByRequest, sql, uniqueEmail, userIdByEmail } from "./support";

// The admin write routes over HTTP, signed in through the app and the Google emulator: who gets what
// answer (a plain user and support 403, an admin without two-factor 403 mfa_enrolment_required), CSRF, and
// every kind of bad body (never a 5xx, nothing changed). The acting admin's AAL2 session comes from the
// real two-factor routes (enrol, then a code).

type Actor = { ctx: APIRequestContext; id: string; email: string };

const code = (secret: string) => new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate();

async function actor(playwright: PlaywrightWorkerArgs["playwright"], label: string, role: "user" | "support" | "admin", opts: { aal2?: boolean } = {}): Promise<Actor> {
  const ctx = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  const email = uniqueEmail(label);
  await signInByRequest(ctx, { email, name: label });
  const id = await userIdByEmail(email);
  if (role !== "user") await sql("update public.user_roles set role = $1 where user_id = $2", [role, id]);
  if (opts.aal2) {
    const enrol = await ctx.post("/api/account/mfa/enroll", { headers: { origin: APP_ORIGIN }, data: { name: "Phone" } });
    expect(enrol.status(), await enrol.text()).toBe(200);
    const { enrolment } = (await enrol.json()) as { enrolment: { factorId: string; secret: string } };
    const verified = await ctx.post("/api/account/mfa/verify", {
      headers: { origin: APP_ORIGIN },
      data: { factorId: enrolment.factorId, code: code(enrolment.secret) },
    });
    expect(verified.status(), await verified.text()).toBe(200);
  }
  return { ctx, id, email };
}

/** Every admin write route, with a body that is valid for it. */
function routes(target: string): { path: string; body: Record<string, unknown> }[] {
  return [
    { path: "/api/admin/users", body: { email: uniqueEmail("never-created"), name: "Never Created", role: "user" } },
    { path: `/api/admin/users/${target}/ban`, body: { duration: "24h", reason: "spam" } },
    { path: `/api/admin/users/${target}/unban`, body: {} },
    { path: `/api/admin/users/${target}/role`, body: { role: "support" } },
    { path: `/api/admin/users/${target}/sessions/end`, body: { sessionId: randomUUID() } },
    { path: `/api/admin/users/${target}/sessions/end-all`, body: {} },
    { path: `/api/admin/users/${target}/factors/remove`, body: { factorId: randomUUID() } },
    { path: `/api/admin/users/${target}/delete`, body: { confirmEmail: "x@example.com" } },
  ];
}

async function errorOf(res: APIResponse): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
  expect(body.ok).toBe(false);
  return body.error;
}

async function targetState(id: string) {
  const [row] = await sql<{ banned: boolean; role: string | null; sessions: number }>(
    `select u.banned_until is not null as banned, (select role::text from public.user_roles where user_id = u.id) as role,
            (select count(*)::int from auth.sessions where user_id = u.id) as sessions
     from auth.users u where u.id = $1`,
    [id],
  );
  return row;
}

test("a plain user and support get 403 from every admin write; an admin without two-factor is told to enrol", async ({ playwright }) => {
  const target = await actor(playwright, "api-target", "user");
  const plain = await actor(playwright, "api-plain", "user");
  const support = await actor(playwright, "api-support", "support");
  const admin = await actor(playwright, "api-admin-aal1", "admin");
  const before = await targetState(target.id);
  for (const { path, body } of routes(target.id)) {
    for (const who of [plain, support]) {
      const res = await who.ctx.post(path, { headers: { origin: APP_ORIGIN }, data: body });
      expect(res.status(), `${path} as ${who.email}`).toBe(403);
      expect((await errorOf(res)).code).toBe("forbidden");
    }
    const res = await admin.ctx.post(path, { headers: { origin: APP_ORIGIN }, data: body });
    expect(res.status(), path).toBe(403);
    expect(await errorOf(res)).toEqual({ code: "mfa_enrolment_required", message: "Set up two-factor authentication before making changes" });
    // Before the body is read: a broken body gets the same answer.
    const broken = await admin.ctx.post(path, { headers: { origin: APP_ORIGIN, "content-type": "application/json" }, data: "{" });
    expect(broken.status(), path).toBe(403);
  }
  expect(await targetState(target.id)).toEqual(before);
  for (const who of [target, plain, support, admin]) await who.ctx.dispose();
});

test("CSRF: a cross-site or origin-less POST is refused before anything else", async ({ playwright }) => {
  const target = await actor(playwright, "csrf-target", "user");
  const admin = await actor(playwright, "csrf-admin", "admin", { aal2: true });
  const before = await targetState(target.id);
  for (const { path, body } of routes(target.id)) {
    const crossSite = await admin.ctx.post(path, { headers: { origin: "https://evil.example" }, data: body });
    expect(crossSite.status(), path).toBe(403);
    expect((await errorOf(crossSite)).code).toBe("csrf");
    const noOrigin = await admin.ctx.post(path, { data: body });
    expect(noOrigin.status(), path).toBe(403);
    expect((await errorOf(noOrigin)).code).toBe("csrf");
  }
  expect(await targetState(target.id)).toEqual(before);
  for (const who of [target, admin]) await who.ctx.dispose();
});

test("every bad body gets a clear 4xx, never a 5xx, and changes nothing", async ({ playwright }) => {
  const target = await actor(playwright, "bad-target", "user");
  const admin = await actor(playwright, "bad-admin", "admin", { aal2: true });
  const before = await targetState(target.id);
  const post = (path: string, data: unknown, headers: Record<string, string> = {}) =>
    admin.ctx.post(path, { headers: { origin: APP_ORIGIN, ...headers }, data: data as Record<string, unknown> });

  for (const { path, body } of routes(target.id)) {
    const text = await post(path, JSON.stringify(body), { "content-type": "text/plain" });
    expect(text.status(), `${path} text/plain`).toBe(415);
    const malformed = await post(path, "{not json", { "content-type": "application/json" });
    expect(malformed.status(), `${path} malformed`).toBe(400);
    const empty = await post(path, "", { "content-type": "application/json" });
    expect(empty.status(), `${path} empty`).toBe(400);
    const array = await post(path, [body]);
    expect(array.status(), `${path} array`).toBe(400);
    const unknown = await post(path, { ...body, admin: true });
    expect(unknown.status(), `${path} unknown field`).toBe(400);
    expect((await errorOf(unknown)).message).toContain("admin");
    const huge = await post(path, { ...body, reason: "x".repeat(20_000) });
    expect(huge.status(), `${path} huge`).toBe(413);
  }

  const u = `/api/admin/users/${target.id}`;
  const bad: [string, unknown][] = [
    ["/api/admin/users", { email: "not-an-email", name: "X", role: "user" }],
    ["/api/admin/users", { email: uniqueEmail("x"), name: "", role: "user" }],
    ["/api/admin/users", { email: uniqueEmail("x"), name: "a\u0007b", role: "user" }],
    ["/api/admin/users", { email: uniqueEmail("x"), name: "X".repeat(101), role: "user" }],
    ["/api/admin/users", { email: uniqueEmail("x"), name: "X", role: "owner" }],
    [`${u}/ban`, { duration: "forever", reason: "x" }],
    [`${u}/ban`, { duration: "0s", reason: "x" }],
    [`${u}/ban`, { duration: "876001h", reason: "x" }],
    [`${u}/ban`, { duration: "24h" }],
    [`${u}/ban`, { duration: "24h", reason: "x".repeat(501) }],
    [`${u}/ban`, { duration: "24h", reason: "line\nbreak" }],
    [`${u}/ban`, { duration: 24, reason: "x" }],
    [`${u}/unban`, { reason: 1 }],
    [`${u}/role`, { role: "root" }],
    [`${u}/role`, {}],
    [`${u}/sessions/end`, { sessionId: "not-a-uuid" }],
    [`${u}/sessions/end`, {}],
    [`${u}/factors/remove`, { factorId: 5 }],
    [`${u}/delete`, {}],
    [`${u}/delete`, { confirmEmail: "someone-else@example.com" }],
    ["/api/admin/users/not-a-uuid/ban", { duration: "24h", reason: "x" }],
    ["/api/admin/users/not-a-uuid/role", { role: "user" }],
  ];
  for (const [path, data] of bad) {
    const res = await post(path, data);
    expect(res.status(), `${path} ${JSON.stringify(data)}`).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_input");
    expect(error.message.length).toBeGreaterThan(0);
  }
  const unknownUser = await post(`/api/admin/users/${randomUUID()}/ban`, { duration: "24h", reason: "x" });
  expect(unknownUser.status()).toBe(404);
  expect(await targetState(target.id)).toEqual(before);
  for (const who of [target, admin]) await who.ctx.dispose();
});

test("an AAL2 admin bans, unbans, changes a role and ends sessions; the user's next request sees it; self-actions are refused", async ({ playwright }) => {
  const target = await actor(playwright, "ok-target", "user");
  const admin = await actor(playwright, "ok-admin", "admin", { aal2: true });
  const post = (path: string, data: Record<string, unknown>) => admin.ctx.post(path, { headers: { origin: APP_ORIGIN }, data });
  const u = `/api/admin/users/${target.id}`;
  expect((await target.ctx.get("/api/me")).status()).toBe(200);

  const banned = await post(`${u}/ban`, { duration: "1h", reason: "spam" });
  expect(banned.status(), await banned.text()).toBe(200);
  expect(await banned.json()).toMatchObject({ ok: true, userId: target.id, sessionsRevoked: 1 });
  expect((await target.ctx.get("/api/me")).status()).toBe(401);
  const unbanned = await post(`${u}/unban`, { reason: "appeal" });
  expect(await unbanned.json()).toMatchObject({ ok: true, changed: true });

  const promoted = await post(`${u}/role`, { role: "support", reason: "new hire" });
  expect(await promoted.json()).toEqual({ ok: true, userId: target.id, before: "user", after: "support", changed: true });
  const removed = await post(`${u}/role`, { role: null });
  expect(await removed.json()).toMatchObject({ ok: true, after: null });
  expect(await sql("select 1 from public.user_roles where user_id = $1", [target.id])).toHaveLength(0);
  // Back to an explicit `user` row, as every other user of the database has.
  expect(await (await post(`${u}/role`, { role: "user" })).json()).toMatchObject({ ok: true, before: null, after: "user" });

  const again = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  await signInByRequest(again, { email: target.email });
  expect((await again.get("/api/me")).status()).toBe(200);
  const ended = await post(`${u}/sessions/end-all`, {});
  expect(await ended.json()).toEqual({ ok: true, userId: target.id, sessionsRevoked: 1 });
  expect((await again.get("/api/me")).status()).toBe(401);
  await again.dispose();

  const self = `/api/admin/users/${admin.id}`;
  const selfBan = await post(`${self}/ban`, { duration: "1h", reason: "x" });
  expect(selfBan.status()).toBe(400);
  expect(await errorOf(selfBan)).toEqual({ code: "invalid_input", message: "You cannot ban your own account" });
  const selfDemote = await post(`${self}/role`, { role: "user" });
  expect(selfDemote.status()).toBe(400);
  expect(await errorOf(selfDemote)).toEqual({ code: "invalid_input", message: "You cannot change your own role" });
  const selfDelete = await post(`${self}/delete`, { confirmEmail: admin.email });
  expect(selfDelete.status()).toBe(400);
  expect((await admin.ctx.get("/api/me")).status()).toBe(200);

  const actions = await sql<{ action: string }>(
    "select action from public.audit_events where actor_id = $1 and target_user_id = $2 order by created_at",
    [admin.id, target.id],
  );
  expect(actions.map((a) => a.action)).toEqual(["user.ban", "user.unban", "role.assign", "role.remove", "role.assign", "sessions.revoke"]);
  for (const who of [target, admin]) await who.ctx.dispose();
});

test("a created user signs in with Google under that email and is that user, with the role given", async ({ playwright }) => {
  const admin = await actor(playwright, "create-admin", "admin", { aal2: true });
  const email = uniqueEmail("created");
  const created = await admin.ctx.post("/api/admin/users", { headers: { origin: APP_ORIGIN }, data: { email, name: "Created Person", role: "support" } });
  expect(created.status(), await created.text()).toBe(200);
  const { user } = (await created.json()) as { user: { id: string; email: string; role: string } };
  expect(user).toMatchObject({ email, role: "support" });
  const duplicate = await admin.ctx.post("/api/admin/users", { headers: { origin: APP_ORIGIN }, data: { email, name: "Again", role: "user" } });
  expect(duplicate.status()).toBe(409);

  const person = await playwright.request.newContext({ baseURL: APP_ORIGIN });
  await signInByRequest(person, { email, name: "Google Name" });
  const me = (await (await person.get("/api/me")).json()) as { user: { id: string; role: string }; profile: { displayName: string } };
  expect(me.user).toMatchObject({ id: user.id, role: "support" });
  expect(me.profile.displayName).toBe("Created Person");
  for (const ctx of [person, admin.ctx]) await ctx.dispose();
});
