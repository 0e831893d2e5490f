import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { pool } from "../db/client";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { loadLocalStackEnv } from "../test-support/local-env";
import { testUsers } from "../test-support/users";
import { deleteAccount } from "./delete-account";
import { updateProfile } from "./update-profile";

// Delete account against the running local stack: real users signed in through the real Auth server, the
// real Auth admin API deleting them, Postgres with the project's migrations, triggers and RLS.
loadLocalStackEnv();

const { db, createUser, contextFor, cleanup } = testUsers("delete-account.test");

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

/** Every row the app and the Auth server hold about a user, by table. */
async function footprint(userId: string): Promise<Record<string, number>> {
  const [row] = await db<Record<string, number>[]>`
    select
      (select count(*)::int from auth.users where id = ${userId}) as users,
      (select count(*)::int from auth.sessions where user_id = ${userId}) as sessions,
      (select count(*)::int from auth.refresh_tokens where user_id = ${userId}::text) as refresh_tokens,
      (select count(*)::int from auth.identities where user_id = ${userId}) as identities,
      (select count(*)::int from public.profiles where id = ${userId}) as profiles,
      (select count(*)::int from public.user_roles where user_id = ${userId}) as user_roles`;
  return row ?? {};
}

async function deletionAuditRows(userId: string) {
  return db<{ actor_id: string; ip: string | null; user_agent: string | null; request_id: string | null; before: unknown; after: unknown; row: string }[]>`
    select actor_id, host(ip) as ip, user_agent, request_id, before, after, row_to_json(e)::text as row
    from public.audit_events e where target_user_id = ${userId} and action = 'account.delete'`;
}

async function sessionActive(auth: AuthContext): Promise<boolean> {
  const [row] = await withRls(auth.claims, (tx) => tx<{ active: boolean }[]>`select private.session_is_active() as active`);
  return row?.active === true;
}

describe("deleteAccount", () => {
  it("deletes a signed-in user: their rows are gone, every session ended, one audit row without personal data", async () => {
    const user = await createUser("leaver");
    const other = await contextFor(user.email);
    const auth = await contextFor(user.email);
    await updateProfile(auth, { displayName: "Leaving Person" });
    const bystander = await createUser("stays");
    const bystanderAuth = await contextFor(bystander.email);
    const before = await footprint(user.id);
    expect(before).toMatchObject({ users: 1, sessions: 2, identities: 1, profiles: 1, user_roles: 1 });
    const bystanderBefore = await footprint(bystander.id);

    const requestId = `req-${randomUUID()}`;
    const meta = { ip: "203.0.113.77", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", requestId };
    expect(await deleteAccount(auth, { confirmation: "DELETE" }, meta)).toEqual({ deleted: true });

    expect(await footprint(user.id)).toEqual({ users: 0, sessions: 0, refresh_tokens: 0, identities: 0, profiles: 0, user_roles: 0 });
    expect(await sessionActive(auth)).toBe(false);
    expect(await sessionActive(other)).toBe(false);

    const rows = await deletionAuditRows(user.id);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ actor_id: user.id, ip: null, user_agent: null, request_id: requestId, before: null, after: { sessions_ended: 2 } });
    expect(row?.row).not.toContain(user.email);
    expect(row?.row).not.toMatch(/Leaving Person|leaver|203\.0\.113\.77|Firefox/);

    // Nobody else was touched.
    expect(await footprint(bystander.id)).toEqual(bystanderBefore);
    expect(await sessionActive(bystanderAuth)).toBe(true);
  });

  it("refuses without step-up: nothing is deleted, nothing is recorded", async () => {
    const user = await createUser("stale");
    const auth = await contextFor(user.email);
    await db`update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes' where session_id = ${auth.sessionId}`;
    const before = await footprint(user.id);
    const error = await rejection(deleteAccount(auth, { confirmation: "DELETE" }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "step_up_required", details: { requirement: "recent_sign_in" } });
    expect(await footprint(user.id)).toEqual(before);
    expect(await deletionAuditRows(user.id)).toHaveLength(0);
    const [requests] = await db<{ n: number }[]>`select count(*)::int as n from private.account_deletion_requests where user_id = ${user.id}`;
    expect(requests?.n).toBe(0);
    expect(await sessionActive(auth)).toBe(true);
  });

  it("refuses a wrong or malformed confirmation with a clear message, before anything is touched", async () => {
    const user = await createUser("careful");
    const auth = await contextFor(user.email);
    const before = await footprint(user.id);
    const cases: [unknown, RegExp][] = [
      [{ confirmation: "delete" }, /Type DELETE in capital letters/],
      [{ confirmation: "" }, /Type DELETE/],
      [{ confirmation: user.email }, /Type DELETE/],
      [{ confirmation: "DEL\u0000ETE" }, /control characters/],
      [{ confirmation: "DELETE\n" }, /control characters/],
      [{ confirmation: "D".repeat(65) }, /at most 64 characters/],
      [{ confirmation: 1 }, /Type DELETE to confirm/],
      [{}, /confirmation: Type DELETE to confirm/],
      [{ confirmation: "DELETE", userId: randomUUID() }, /Unknown field: userId/],
      [[], /Send a JSON object/],
      [null, /Send a JSON object/],
      ["DELETE", /Send a JSON object/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(deleteAccount(auth, input));
      expect(error, JSON.stringify(input)).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("invalid_input");
      expect((error as AppError).message).toMatch(message);
    }
    expect(await footprint(user.id)).toEqual(before);
    const [requests] = await db<{ n: number }[]>`select count(*)::int as n from private.account_deletion_requests where user_id = ${user.id}`;
    expect(requests?.n).toBe(0);
  });

  it("a session ended before the deletion cannot delete the account", async () => {
    const user = await createUser("ended");
    const auth = await contextFor(user.email);
    await db`delete from auth.sessions where id = ${auth.sessionId}`;
    expect(await rejection(deleteAccount(auth, { confirmation: "DELETE" }))).toMatchObject({ code: "unauthenticated" });
    expect((await footprint(user.id)).users).toBe(1);
  });
});
