import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { loadLocalStackEnv } from "../test-support/local-env";
import { testUsers } from "../test-support/users";
import { pool } from "./client";
import { withRls, withRlsAfterCheck, type Tx } from "./rls";

// The data path against the running local stack: real users, real sessions, Postgres with the project's
// migrations and RLS. withRlsAfterCheck is what lib/auth/guard.ts withUser() builds on: the session check
// and the page's queries in one round trip, and nothing of the page's runs when the check fails.
loadLocalStackEnv();

const { db, createUser, contextFor, cleanup } = testUsers("rls.test");

let alice: AuthContext;
let aliceName: string;

/** The guard's check, as withUser sends it. */
function assertSession(userId: string, sessionId: string, permission: string | null = null) {
  return (tx: Tx) =>
    tx<{ role: string }[]>`
      select private.assert_session(${userId}::uuid, ${sessionId}::uuid, ${permission}::public.app_permission)::text as role`.execute();
}

/** What a page's load could do if it ran: rename alice through RLS (allowed while her session is active). */
async function rename(tx: Tx, name: string) {
  return tx<{ display_name: string }[]>`
    update public.profiles set display_name = ${name} where id = ${alice.userId} returning display_name`;
}

async function storedName(): Promise<string | null> {
  const [row] = await db<{ display_name: string | null }[]>`select display_name from public.profiles where id = ${alice.userId}`;
  return row?.display_name ?? null;
}

beforeAll(async () => {
  const user = await createUser("alice");
  alice = await contextFor(user.email);
  aliceName = `Alice ${randomUUID().slice(0, 8)}`;
  await db`update public.profiles set display_name = ${aliceName} where id = ${alice.userId}`;
});

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("withRls", () => {
  it("runs the queries as `authenticated` with the verified claims, and commits", async () => {
    const [who] = await withRls(alice.claims, (tx) => tx<{ role: string; uid: string; sid: string }[]>`
      select current_user as role, auth.uid()::text as uid, auth.jwt() ->> 'session_id' as sid`);
    expect(who).toEqual({ role: "authenticated", uid: alice.userId, sid: alice.sessionId });
    const renamed = `${aliceName} (renamed)`;
    await withRls(alice.claims, (tx) => rename(tx, renamed));
    expect(await storedName()).toBe(renamed);
    await db`update public.profiles set display_name = ${aliceName} where id = ${alice.userId}`;
  });

  it("rolls back everything when a query fails", async () => {
    await expect(
      withRls(alice.claims, async (tx) => {
        await rename(tx, "never kept");
        await tx`select 1 / 0`;
      }),
    ).rejects.toMatchObject({ code: "22012" });
    expect(await storedName()).toBe(aliceName);
  });
});

describe("withRlsAfterCheck", () => {
  it("returns the check's answer and fn's result from one transaction", async () => {
    const { checked, result } = await withRlsAfterCheck(assertSession(alice.userId, alice.sessionId), alice.claims, (tx) =>
      tx<{ role: string; name: string }[]>`
        select current_user as role, display_name as name from public.profiles where id = ${alice.userId}`,
    );
    expect(checked).toEqual([{ role: "user" }]);
    expect(result).toEqual([{ role: "authenticated", name: aliceName }]);
  });

  it("runs the check as the server's own user, before the switch to `authenticated`", async () => {
    // `authenticated` may not execute private.assert_session: if the check ran after the switch, it would fail.
    const { checked, result } = await withRlsAfterCheck(assertSession(alice.userId, alice.sessionId), alice.claims, (tx) =>
      tx<{ allowed: boolean }[]>`
        select has_function_privilege(current_user, 'private.assert_session(uuid, uuid, public.app_permission)', 'execute') as allowed`,
    );
    expect(checked).toEqual([{ role: "user" }]);
    expect(result).toEqual([{ allowed: false }]);
  });

  it("throws the check's error and runs none of fn's queries when the session does not pass", async () => {
    // alice's own claims (her session is active, so the update would be allowed) behind a check that fails.
    let reachedAfterFirstQuery = false;
    const error = await withRlsAfterCheck(assertSession(alice.userId, randomUUID()), alice.claims, async (tx) => {
      await rename(tx, "written behind a failed check");
      reachedAfterFirstQuery = true;
      return rename(tx, "written behind a failed check, twice");
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(postgres.PostgresError);
    expect(error).toMatchObject({ code: "28000", message: "session_revoked" });
    expect(reachedAfterFirstQuery).toBe(false);
    expect(await storedName()).toBe(aliceName);
  });

  it("stops a role without the page's permission with `forbidden`", async () => {
    const error = await withRlsAfterCheck(assertSession(alice.userId, alice.sessionId, "users.read"), alice.claims, (tx) => rename(tx, "forbidden write")).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "42501", message: "forbidden" });
    expect(await storedName()).toBe(aliceName);
  });

  it("stops a session revoked after the token was issued, and a banned user", async () => {
    const bob = await contextFor((await createUser("bob")).email);
    await db`update auth.users set banned_until = now() + interval '1 day' where id = ${bob.userId}`;
    await expect(withRlsAfterCheck(assertSession(bob.userId, bob.sessionId), bob.claims, (tx) => tx`select 1`)).rejects.toMatchObject({
      code: "28000",
      message: "banned",
    });
    await db`update auth.users set banned_until = null where id = ${bob.userId}`;
    await db`delete from auth.sessions where id = ${bob.sessionId}`;
    await expect(withRlsAfterCheck(assertSession(bob.userId, bob.sessionId), bob.claims, (tx) => tx`select 1`)).rejects.toMatchObject({
      code: "28000",
      message: "session_revoked",
    });
  });

  it("leaves the pool's connections clean after failed checks", async () => {
    const failures = Array.from({ length: 12 }, () =>
      withRlsAfterCheck(assertSession(alice.userId, randomUUID()), alice.claims, (tx) => tx`select 1`).catch((e: unknown) => e),
    );
    expect((await Promise.all(failures)).every((e) => e instanceof postgres.PostgresError && e.code === "28000")).toBe(true);
    // Every connection of the pool (max 10) has seen an aborted transaction; each must be back to normal.
    const roles = await Promise.all(Array.from({ length: 12 }, () => pool()<{ role: string }[]>`select current_user as role`));
    expect(new Set(roles.map(([r]) => r?.role))).toEqual(new Set(["postgres"]));
  });
});
