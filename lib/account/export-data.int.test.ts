import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../db/client";
import { AppError } from "../errors";
import { loadLocalStackEnv } from "../test-support/local-env";
import { testUsers } from "../test-support/users";
import { dataExportStream, startDataExport, writeDataExport, type StartedExport } from "./export-data";
import { listSecurityEvents } from "./list-security-events";
import { updateProfile } from "./update-profile";

// Export my data against the running local stack: real users signed in through the real Auth server,
// Postgres with the project's migrations and RLS, the rate limit counted in Postgres.
loadLocalStackEnv();

const { db, createUser, contextFor, cleanup } = testUsers("export-data.test");

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

type ExportDocument = {
  schema_version: number;
  export: { id: string; started_at: string };
  account: { id: string; email: string; email_provider: string | null };
  profile: { display_name: string | null; created_at: string } | null;
  identities: { id: string; provider: string; email: string | null }[];
  roles: string[];
  sessions: { id: string; current: boolean; aal: string | null }[];
  security_events: { id: string; kind: string; occurred_at: string }[];
  exports: { id: string; created_at: string }[];
  complete: true;
};

async function exportChunks(auth: Parameters<typeof writeDataExport>[0], started: StartedExport, pageSize?: number): Promise<string[]> {
  const chunks: string[] = [];
  await writeDataExport(auth, started, async (chunk) => void chunks.push(chunk), pageSize === undefined ? {} : { pageSize });
  return chunks;
}

async function exportRows(userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from public.data_exports where user_id = ${userId}`;
  return row?.n ?? 0;
}

async function exportAuditRows(userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from public.audit_events where target_user_id = ${userId} and action = 'account.export'`;
  return row?.n ?? 0;
}

describe("the export document", () => {
  it("holds the user's rows and nobody else's, written in pieces, security events page by page", async () => {
    const alice = await createUser("alice");
    const aliceOther = await contextFor(alice.email);
    const aliceThird = await contextFor(alice.email);
    const auth = await contextFor(alice.email);
    await updateProfile(auth, { displayName: "Alice Exporter" });
    const bob = await createUser("bob");
    const bobAuth = await contextFor(bob.email);
    await updateProfile(bobAuth, { displayName: "Bob Private" });

    const started = await startDataExport(auth, {}, { ip: "203.0.113.8", userAgent: "Export test", requestId: "req-export-doc" });
    const chunks = await exportChunks(auth, started, 2);
    expect(chunks.length).toBeGreaterThan(10);
    const text = chunks.join("");
    const doc = JSON.parse(text) as ExportDocument;

    expect(doc.schema_version).toBe(1);
    expect(doc.complete).toBe(true);
    expect(doc.export).toEqual({ id: started.exportId, started_at: started.startedAt });
    expect(doc.account).toEqual({ id: alice.id, email: alice.email, email_provider: "email" });
    expect(doc.profile?.display_name).toBe("Alice Exporter");
    expect(doc.identities.map((i) => [i.provider, i.email])).toEqual([["email", alice.email]]);
    expect(doc.roles).toEqual(["user"]);
    expect(doc.sessions.map((s) => s.id).sort()).toEqual([aliceOther.sessionId, aliceThird.sessionId, auth.sessionId].sort());
    expect(doc.sessions.find((s) => s.current)?.id).toBe(auth.sessionId);
    expect(doc.exports.map((x) => x.id)).toEqual([started.exportId]);

    // Every security event of hers, in the order of the list, across pages of 2.
    const listed = await listSecurityEvents(auth, { limit: 50 });
    expect(listed.events.length).toBeGreaterThanOrEqual(3);
    expect(doc.security_events.map((e) => e.id)).toEqual(listed.events.map((e) => e.id));
    expect(doc.security_events.filter((e) => e.kind === "signed_in").length).toBeGreaterThanOrEqual(2);

    // Nothing of bob's.
    for (const secret of [bob.id, bob.email, "Bob Private", bobAuth.sessionId]) expect(text).not.toContain(secret);
  });

  it("streams the same document as bytes, and a cancelled download ends its transaction", async () => {
    const user = await createUser("stream");
    const auth = await contextFor(user.email);
    const started = await startDataExport(auth);
    const doc = JSON.parse(await new Response(dataExportStream(auth, started)).text()) as ExportDocument;
    expect(doc.account.id).toBe(user.id);
    expect(doc.complete).toBe(true);

    const reader = dataExportStream(auth, started).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^\{"schema_version":1,/);
    await reader.cancel();
    // The pool is not left with a transaction stuck open: 10 queries still get connections.
    const answers = await Promise.all(Array.from({ length: 12 }, () => pool()`select 1 as one`));
    expect(answers.every(([row]) => row?.one === 1)).toBe(true);
  });
});

describe("startDataExport", () => {
  it("allows 3 exports an hour; the 4th is refused with a clear message and a retry-after, and writes nothing", async () => {
    const user = await createUser("limited");
    const auth = await contextFor(user.email);
    for (let i = 0; i < 3; i++) await startDataExport(auth);
    const error = await rejection(startDataExport(auth));
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe("rate_limited");
    expect(appError.message).toMatch(/3 times an hour\. Try again in 60 minutes/);
    expect(appError.details?.retryAfter).toBeGreaterThan(3500);
    expect(appError.details?.retryAfter).toBeLessThanOrEqual(3600);
    expect(await exportRows(user.id)).toBe(3);
    expect(await exportAuditRows(user.id)).toBe(3);

    // Another session of the same user (another app instance, another device) meets the same limit.
    const elsewhere = await contextFor(user.email);
    expect(await rejection(startDataExport(elsewhere))).toMatchObject({ code: "rate_limited" });

    // Once the oldest export is more than an hour old, one more is allowed.
    await db`
      update public.data_exports set created_at = now() - interval '61 minutes'
      where id = (select id from public.data_exports where user_id = ${user.id} order by created_at, id limit 1)`;
    await expect(startDataExport(auth)).resolves.toMatchObject({ exportId: expect.any(String) });
    expect(await exportRows(user.id)).toBe(4);
  });

  it("holds under concurrency: of 6 exports started at once, exactly 3 pass", async () => {
    const user = await createUser("racer");
    const contexts = await Promise.all(Array.from({ length: 3 }, () => contextFor(user.email)));
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => startDataExport(contexts[i % 3] as (typeof contexts)[number])));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused.map((r) => (r.reason as AppError).code)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
    expect(await exportRows(user.id)).toBe(3);
  });

  it("requires step-up, and refuses unknown fields; neither writes a row", async () => {
    const user = await createUser("stale");
    const auth = await contextFor(user.email);
    await db`update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes' where session_id = ${auth.sessionId}`;
    expect(await rejection(startDataExport(auth))).toMatchObject({ code: "step_up_required", details: { requirement: "recent_sign_in" } });
    const fresh = await contextFor(user.email);
    expect(await rejection(startDataExport(fresh, { format: "csv" }))).toMatchObject({ code: "invalid_input", message: "Unknown field: format" });
    expect(await rejection(startDataExport(fresh, []))).toMatchObject({ code: "invalid_input", message: "Send a JSON object" });
    expect(await exportRows(user.id)).toBe(0);
    expect(await exportAuditRows(user.id)).toBe(0);
  });
});
