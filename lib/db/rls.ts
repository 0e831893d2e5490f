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
  return pool().begin(async (tx) => {
    // Both settings are transaction-local (is_local = true): they end with this transaction. Not awaited
    // before `fn`: postgres.js sends fn's queries right behind it on the same connection (one round trip
    // less), and if it failed the transaction is aborted, so nothing in fn can run without it.
    const setup = tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`.execute();
    try {
      return await fn(tx);
    } finally {
      await setup;
    }
  }) as Promise<T>;
}
