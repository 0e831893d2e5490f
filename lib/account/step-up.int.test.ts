import { afterAll, describe, expect, it } from "vitest";
import { assertStepUp, readStepUp } from "../auth/step-up";
import { pool } from "../db/client";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { loadLocalStackEnv } from "../test-support/local-env";
import { totpCode } from "../test-support/totp";
import { anonClient, testUsers } from "../test-support/users";
import { endOtherSessions } from "./end-other-sessions";

// The step-up rule against the running local stack: real users signed in through the real Auth server,
// a real TOTP enrolment, Postgres with the project's migrations. The only thing a test changes behind the
// app's back is the time of a sign-in (the amr entry's updated_at), to make it older than 10 minutes.
loadLocalStackEnv();

const { db, createUser, contextFor, contextFromToken, cleanup } = testUsers("step-up.test");

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

/** Moves the session's sign-in `minutes` into the past, as if it had happened then. */
async function ageSignIn(sessionId: string, minutes: number): Promise<void> {
  const updated = await db`
    update auth.mfa_amr_claims set created_at = now() - make_interval(mins => ${minutes}), updated_at = now() - make_interval(mins => ${minutes})
    where session_id = ${sessionId}`;
  expect(updated.count).toBeGreaterThan(0);
}

describe("step-up without a factor: a sign-in from the last 10 minutes", () => {
  it("a session signed in just now passes; its state says until when", async () => {
    const user = await createUser("fresh");
    const auth = await contextFor(user.email);
    await expect(assertStepUp(auth)).resolves.toBeUndefined();
    const state = await withRls(auth.claims, readStepUp);
    expect(state?.required).toBe("recent_sign_in");
    expect(state?.satisfied).toBe(true);
    const left = Date.parse(state?.validUntil ?? "") - Date.now();
    expect(left).toBeGreaterThan(9 * 60_000);
    expect(left).toBeLessThanOrEqual(10 * 60_000);
  });

  it("the same session 11 minutes after its sign-in is refused with step_up_required / recent_sign_in; a new sign-in passes", async () => {
    const user = await createUser("stale");
    const stale = await contextFor(user.email);
    await ageSignIn(stale.sessionId, 11);
    const error = await rejection(assertStepUp(stale));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "step_up_required", details: { requirement: "recent_sign_in" } });
    expect((await withRls(stale.claims, readStepUp))?.satisfied).toBe(false);
    // The fresh sign-in is another session: it passes, the stale one stays stale.
    const fresh = await contextFor(user.email);
    await expect(assertStepUp(fresh)).resolves.toBeUndefined();
    expect(await rejection(assertStepUp(stale))).toMatchObject({ code: "step_up_required" });
  });

  it("a refreshed token of a stale session is still stale", async () => {
    const user = await createUser("refreshed");
    const client = anonClient();
    const { data } = await client.auth.signInWithPassword({ email: user.email, password: "correct-horse-battery-staple" });
    if (!data.session) throw new Error("no session");
    const first = await contextFromToken(data.session.access_token, user.email);
    await ageSignIn(first.sessionId, 30);
    const refreshed = await client.auth.refreshSession({ refresh_token: data.session.refresh_token });
    if (!refreshed.data.session) throw refreshed.error ?? new Error("no refreshed session");
    const after = await contextFromToken(refreshed.data.session.access_token, user.email);
    expect(after.sessionId).toBe(first.sessionId);
    expect(await rejection(assertStepUp(after))).toMatchObject({ code: "step_up_required", details: { requirement: "recent_sign_in" } });
  });

  it("an ended session is refused as signed out, not asked to step up", async () => {
    const user = await createUser("ended");
    const auth = await contextFor(user.email);
    await db`delete from auth.sessions where id = ${auth.sessionId}`;
    expect(await rejection(assertStepUp(auth))).toMatchObject({ code: "unauthenticated" });
  });
});

describe("step-up with a verified TOTP factor: AAL2", () => {
  it("an aal1 session is refused with requirement aal2, however fresh; the aal2 session passes", async () => {
    const user = await createUser("totp");
    const client = anonClient();
    const signedIn = await client.auth.signInWithPassword({ email: user.email, password: "correct-horse-battery-staple" });
    if (!signedIn.data.session) throw signedIn.error ?? new Error("no session");
    const enrolled = await client.auth.mfa.enroll({ factorType: "totp", friendlyName: "Phone" });
    if (enrolled.error || !enrolled.data) throw enrolled.error ?? new Error("no factor");
    const verified = await client.auth.mfa.challengeAndVerify({ factorId: enrolled.data.id, code: totpCode(enrolled.data.totp.secret) });
    if (verified.error || !verified.data) throw verified.error ?? new Error("not verified");
    const aal2 = await contextFromToken(verified.data.access_token, user.email);
    expect(aal2.claims.aal).toBe("aal2");
    await expect(assertStepUp(aal2)).resolves.toBeUndefined();
    expect(await withRls(aal2.claims, readStepUp)).toMatchObject({ required: "aal2", satisfied: true, validUntil: null });

    // A new password sign-in is aal1 until a code is given: fresh, but not enough with a factor.
    const aal1 = await contextFor(user.email);
    expect(aal1.claims.aal).toBe("aal1");
    expect(await rejection(assertStepUp(aal1))).toMatchObject({ code: "step_up_required", details: { requirement: "aal2" } });
  });
});

describe("end all other sessions asks for step-up in Postgres", () => {
  it("a stale session ends nothing and gets step_up_required; a fresh one ends the others", async () => {
    const user = await createUser("end-others");
    const other = await contextFor(user.email);
    const current = await contextFor(user.email);
    await ageSignIn(current.sessionId, 15);
    const error = await rejection(endOtherSessions(current, {}));
    expect(error).toMatchObject({ code: "step_up_required", details: { requirement: "recent_sign_in" } });
    const [left] = await db<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${user.id}`;
    expect(left?.n).toBe(2);
    const [audited] = await db<{ n: number }[]>`
      select count(*)::int as n from public.audit_events where target_user_id = ${user.id} and action = 'sessions.end_others'`;
    expect(audited?.n).toBe(0);

    const fresh = await contextFor(user.email);
    expect(await endOtherSessions(fresh, {})).toEqual({ sessionsEnded: 2 });
    const remaining = await db<{ id: string }[]>`select id from auth.sessions where user_id = ${user.id}`;
    expect(remaining.map((r) => r.id)).toEqual([fresh.sessionId]);
    expect(remaining.map((r) => r.id)).not.toContain(other.sessionId);
  });
});
