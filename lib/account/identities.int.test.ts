import { randomUUID } from "node:crypto";
import { isAuthApiError } from "@supabase/supabase-js";
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../db/client";
import { withRls } from "../db/rls";
import { loadLocalStackEnv } from "../test-support/local-env";
import { anonClient, testUsers } from "../test-support/users";
import { readIdentities } from "./list-identities";

// The identity functions against the running local stack: users signed in through the real Auth server,
// Postgres with the project's migrations. A second identity is added as a fixture row; its unlink goes
// through the Auth server's own DELETE /user/identities/{id}.
loadLocalStackEnv();

const { db, createUser, signIn, contextFromToken, cleanup } = testUsers("identities.test");

afterAll(async () => {
  await cleanup();
  await pool().end({ timeout: 5 });
});

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  return promise.then(
    () => ({ message: "expected a rejection" }),
    (error: unknown) => error as { code?: string; message?: string },
  );
}

async function session(email: string) {
  const { data, error } = await signIn(email);
  if (error || !data.session) throw error ?? new Error("no session");
  return { token: data.session.access_token, refresh: data.session.refresh_token, auth: await contextFromToken(data.session.access_token, email) };
}

async function addAppleIdentity(userId: string, email: string): Promise<string> {
  const sub = `apple-${randomUUID().slice(0, 12)}`;
  const [row] = await db<{ id: string }[]>`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${sub}, ${userId}, ${db.json({ sub, email, email_verified: true })}, 'apple', now(), now(), now())
    returning id`;
  return row!.id;
}

const audit = (userId: string, action: string) =>
  db<{ after: { provider: string; identity_id: string }; actor_id: string }[]>`
    select after, actor_id from public.audit_events where target_user_id = ${userId} and action = ${action} order by created_at`;

describe("listing, linking and unlinking identities", () => {
  it("lists the caller's identities only, with provider, email and when each was linked", async () => {
    const me = await createUser("list");
    const other = await createUser("list-other");
    await addAppleIdentity(other.id, "other-apple@identities.test");
    const { auth } = await session(me.email);
    const identities = await withRls(auth.claims, readIdentities);
    expect(identities.map((i) => [i.provider, i.email])).toEqual([["email", me.email]]);
    expect(Date.parse(identities[0]?.linkedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("the last identity is refused before the Auth server is asked, and the Auth server refuses it too", async () => {
    const me = await createUser("last");
    const { auth, token, refresh } = await session(me.email);
    const [only] = await withRls(auth.claims, readIdentities);
    const error = await rejection(withRls(auth.claims, (tx) => tx`select private.check_my_identity_unlink(${only!.id}::uuid)`));
    expect(error).toMatchObject({ code: "22023", message: "last_identity" });
    const client = anonClient();
    await client.auth.setSession({ access_token: token, refresh_token: refresh });
    const { error: authError } = await client.auth.unlinkIdentity({ identity_id: only!.id, id: "", user_id: me.id, provider: "email" } as never);
    expect(isAuthApiError(authError) && authError.code).toBe("single_identity_not_deletable");
  });

  it("another user's identity is not found; a stale sign-in needs step-up", async () => {
    const me = await createUser("foreign");
    const other = await createUser("foreign-other");
    const theirs = await addAppleIdentity(other.id, "foreign-apple@identities.test");
    await addAppleIdentity(me.id, "mine-apple@identities.test");
    const { auth } = await session(me.email);
    expect(await rejection(withRls(auth.claims, (tx) => tx`select private.check_my_identity_unlink(${theirs}::uuid)`))).toMatchObject({ code: "P0002" });
    await db`update auth.mfa_amr_claims set created_at = now() - interval '11 minutes', updated_at = now() - interval '11 minutes' where session_id = ${auth.sessionId}`;
    const [mine] = (await withRls(auth.claims, readIdentities)).filter((i) => i.provider === "apple");
    expect(await rejection(withRls(auth.claims, (tx) => tx`select private.check_my_identity_unlink(${mine!.id}::uuid)`))).toMatchObject({ code: "SU001" });
  });

  it("unlink: checked, done by the Auth server, then audited as identity.unlink; a record for an identity that still exists writes nothing", async () => {
    const me = await createUser("unlink");
    const apple = await addAppleIdentity(me.id, "unlink-apple@identities.test");
    const { auth, token, refresh } = await session(me.email);
    const [check] = await withRls(auth.claims, (tx) => tx<{ provider: string }[]>`select private.check_my_identity_unlink(${apple}::uuid) as provider`);
    expect(check?.provider).toBe("apple");
    const [early] = await withRls(auth.claims, (tx) => tx<{ ok: boolean }[]>`select private.record_my_identity_unlink(${apple}::uuid, 'apple') as ok`);
    expect(early?.ok).toBe(false);
    const client = anonClient();
    await client.auth.setSession({ access_token: token, refresh_token: refresh });
    const { error } = await client.auth.unlinkIdentity({ identity_id: apple, id: "", user_id: me.id, provider: "apple" } as never);
    expect(error).toBeNull();
    const [done] = await withRls(auth.claims, (tx) => tx<{ ok: boolean }[]>`select private.record_my_identity_unlink(${apple}::uuid, 'apple') as ok`);
    expect(done?.ok).toBe(true);
    const rows = await audit(me.id, "identity.unlink");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: me.id, after: { provider: "apple", identity_id: apple } });
  });

  it("link: recorded once for an identity just added, never for a provider the user does not have", async () => {
    const me = await createUser("link");
    const { auth } = await session(me.email);
    const record = async (provider: string) =>
      (await withRls(auth.claims, (tx) => tx<{ ok: boolean }[]>`select private.record_my_identity_link(${provider}) as ok`))[0]?.ok;
    expect(await record("apple")).toBe(false);
    const apple = await addAppleIdentity(me.id, "link-apple@identities.test");
    expect(await record("apple")).toBe(true);
    expect(await record("apple")).toBe(false);
    const rows = await audit(me.id, "identity.link");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: me.id, after: { provider: "apple", identity_id: apple } });
    // The security activity shows it as identity_linked with the provider.
    const events = await withRls(auth.claims, (tx) => tx<{ kind: string; provider: string }[]>`
      select kind, provider from private.list_my_security_events() where kind = 'identity_linked'`);
    expect(events).toEqual([{ kind: "identity_linked", provider: "apple" }]);
  });
});
