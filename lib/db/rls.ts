import "server-only";
import type postgres from "postgres";
import { pool } from "./client";

export type Tx = postgres.TransactionSql;

/** Verified access-token claims, as PostgREST hands them to Postgres. */
export type JwtClaims = Record<string, unknown> & { sub: string; role: string; session_id: string };

/**
 * The one entry point for application SQL: what PostgREST does for each request. In one transaction it
 * switches to the `authenticated` role and sets `request.jwt.claims`, so every RLS policy (auth.uid(),
 * auth.jwt(), private.authorize(), private.session_is_active()) sees this user — then runs `fn` and commits.
 * Pass claims only from lib/auth/guard.ts (verified tokens). Parameterised queries only.
 */
export async function withRls<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return pool().begin((tx) => runAsUser(tx, claims, fn)) as Promise<T>;
}

/**
 * withRls with a check in front: `check` is the transaction's first statement and runs as the server's own
 * database user, before the switch to `authenticated`. It is not awaited before `fn`: fn's queries go out in
 * the same round trip, right behind it on the same connection. If the check raises, Postgres aborts the
 * transaction and rejects every statement after it, so none of fn's queries runs; the check's own error is
 * what this throws. Only lib/auth/guard.ts uses it, with private.assert_session().
 */
export async function withRlsAfterCheck<C, T>(
  check: (tx: Tx) => Promise<C>,
  claims: JwtClaims,
  fn: (tx: Tx) => Promise<T>,
): Promise<{ checked: C; result: T }> {
  return pool().begin(async (tx) => {
    const checked = check(tx);
    // Handled below in every path; without this, a rejection while fn is pending counts as unhandled.
    checked.catch(() => undefined);
    let result: T;
    try {
      result = await runAsUser(tx, claims, fn);
    } catch (error) {
      await checked; // A failed check is the cause: throw its error rather than fn's "transaction is aborted".
      throw error;
    }
    return { checked: await checked, result };
  }) as Promise<{ checked: C; result: T }>;
}

async function runAsUser<T>(tx: Tx, claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // Both settings are transaction-local (is_local = true): they end with this transaction. Not awaited
  // before `fn`: postgres.js sends fn's queries right behind it on the same connection (one round trip
  // less), and if it failed the transaction is aborted, so nothing in fn can run without it.
  const setup = tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`.execute();
  setup.catch(() => undefined);
  try {
    return await fn(tx);
  } finally {
    await setup;
  }
}
