/**
 * The variants of the benchmark page (`npm run bench`): the same page and markup, authenticated three ways.
 * All three read what /account reads: the profile row and the linked identities.
 * - `session`: the app's session layer as the account page uses it — withUser(): ES256 verified locally,
 *   then one RLS transaction that starts with the session, ban and role check and reads the page's data.
 * - `no-auth`: no session and no guard; the same queries through withRls with claims that match no
 *   session, so the page makes the same database round trips and finds nothing.
 * - `get-user`: the getUser pattern — the Auth server's `GET /user` on every request, then the same
 *   queries through withRls.
 */
export const BENCH_VARIANTS = ["session", "no-auth", "get-user"] as const;
export type BenchVariant = (typeof BENCH_VARIANTS)[number];

export function isBenchVariant(value: unknown): value is BenchVariant {
  return typeof value === "string" && (BENCH_VARIANTS as readonly string[]).includes(value);
}

/** The bench routes exist only in a server started with ENABLE_BENCH_ROUTES=1; anywhere else they are a 404. */
export function benchRoutesEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.ENABLE_BENCH_ROUTES === "1";
}
