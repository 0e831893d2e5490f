import postgres from "postgres";
import { localStack } from "../../stack/auth/integration/flows.ts";
import { CONNECTIONS, databaseUrl, isLocalDatabaseUrl, remove, seed, seedDomain } from "../seed-users.ts";
import { latency, type Latency } from "./stats.ts";
import { formatMeasurementConsole, formatUserSearchConsole } from "./user-search-report.ts";

/**
 * The admin user search's latency, measured next to the Auth server's own user search.
 *
 * Each sample of the app's search is what lib/admin/search-users.ts does for one page: one transaction as an
 * `authenticated` support member with verified-looking claims, private.search_users_page() (page size 25 + 1):
 * the page and the total, counted unless the first page held every match. A mix of searches, in an order that
 * rotates every round. The anchor is the Auth server's GET /auth/v1/admin/users?filter= (LIKE over
 * auth.users, OFFSET paging, exact count), which Supabase Studio's users page uses; its calls are
 * interleaved with the app's searches, so that background load hits both alike.
 *
 * `npm run bench` calls benchUserSearch(): 1,000 users in the directory, measure; 100,000, measure; then
 * the seeded users go again. By hand:
 *   node scripts/bench/user-search.ts [--rounds n]            at the database's current size
 *   node scripts/bench/user-search.ts --scale [--rounds n]    the 1,000 / 100,000 run of npm run bench
 *
 * The support member it searches as (a user, a session, a live refresh token, written in SQL) and the
 * seeded users have emails @bench.seed.test; `npm run seed:users -- --remove --tag bench` removes what an
 * interrupted run left. Local databases only.
 */

type Sql = postgres.Sql;
type Log = (line: string) => void;

export const BENCH_TAG = "bench";
const BENCH_DOMAIN = seedDomain(BENCH_TAG);
/** Directory sizes the search is measured at, and the ratio of the last to the first that is the target. */
export const USER_SEARCH_SIZES = [1_000, 100_000] as const;
export const USER_SEARCH_TARGET_RATIO = 2;
export const DEFAULT_ROUNDS = 30;
const WARMUP_ROUNDS = 2;
const PAGE_SIZE = 25;

export type Search = {
  label: string;
  q?: string;
  sort?: string;
  desc?: boolean;
  role?: string;
  banned?: boolean;
  provider?: string;
  mfa?: boolean;
  /** Follow the cursor to the second page. */
  second?: boolean;
  /** The query is the first 8 hex digits of a user id picked from the directory. */
  idPrefix?: boolean;
};

export const SEARCHES: readonly Search[] = [
  { label: "everyone, newest first" },
  { label: "name substring (lovelace)", q: "lovelace" },
  { label: "email substring (ada.lovelace.1)", q: "ada.lovelace.1", sort: "email", desc: false },
  { label: "two-letter prefix (gr), last sign-in", q: "gr", sort: "last_sign_in" },
  { label: "id prefix (8 hex)", idPrefix: true },
  { label: "role admin, by email", role: "admin", sort: "email", desc: false },
  { label: "banned", banned: true },
  { label: "Apple with MFA, last sign-in", provider: "apple", mfa: true, sort: "last_sign_in" },
  { label: "name substring (hopper), oldest sign-in first", q: "hopper", sort: "last_sign_in", desc: false },
  { label: "everyone, page 2 by email", sort: "email", desc: false, second: true },
];

/** The filters given to the anchor: the same terms as the app's text searches, and none. */
export const ANCHOR_FILTERS: readonly string[] = ["", "lovelace", "ada.lovelace.1", "gr", "hopper"];

export type Task = { kind: "search"; index: number } | { kind: "anchor"; index: number };

/**
 * One round's calls: the app's searches with the anchor's calls spread evenly between them, starting at a
 * different place each round, so that no search always follows the same one or always comes first.
 */
export function roundOrder(round: number, searches = SEARCHES.length, anchors = ANCHOR_FILTERS.length): Task[] {
  const tasks: Task[] = [];
  let placed = 0;
  for (let i = 0; i < searches; i++) {
    tasks.push({ kind: "search", index: i });
    // After search i, as many anchor calls as bring the anchor's share up to (i + 1) / searches.
    while (placed < Math.floor(((i + 1) * anchors) / searches)) tasks.push({ kind: "anchor", index: placed++ });
  }
  while (placed < anchors) tasks.push({ kind: "anchor", index: placed++ });
  const shift = tasks.length === 0 ? 0 : ((round % tasks.length) + tasks.length) % tasks.length;
  return [...tasks.slice(shift), ...tasks.slice(0, shift)];
}

/** How many users to add so that the directory holds `target`; refuses a directory already larger. */
export function usersToSeed(current: number, target: number): number {
  if (!Number.isInteger(current) || current < 0) throw new Error(`not a user count: ${current}`);
  if (current > target) {
    throw new Error(
      `the directory holds ${current.toLocaleString("en")} users already, more than the ${target.toLocaleString("en")} to measure at ` +
        "(remove seeded users first: npm run seed:users -- --remove [--tag t])",
    );
  }
  return target - current;
}

export type UserSearchArgs = { rounds: number; scale: boolean };

/** `[--rounds n | n] [--scale]`. */
export function parseUserSearchArgs(argv: readonly string[]): UserSearchArgs {
  let rounds = DEFAULT_ROUNDS;
  let scale = false;
  const setRounds = (value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`the rounds must be a whole number from 1 to 1000, not ${JSON.stringify(value ?? "")}`);
    rounds = n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--scale") scale = true;
    else if (arg === "--rounds") setRounds(argv[++i]);
    else if (arg.startsWith("--rounds=")) setRounds(arg.slice("--rounds=".length));
    else if (!arg.startsWith("-")) setRounds(arg);
    else throw new Error(`unknown option ${arg}`);
  }
  return { rounds, scale };
}

// ── the support member the search runs as ────────────────────────────────────────────────────────────

type Staff = { id: string; claims: string };

async function createStaff(sql: Sql): Promise<Staff> {
  const id = crypto.randomUUID();
  const sessionId = crypto.randomUUID();
  await sql.begin(async (tx) => {
    await tx`insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
             values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated',
                     ${`staff-${id.slice(0, 8)}@${BENCH_DOMAIN}`}, '{}', '{}', now(), now())`;
    await tx`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values (${sessionId}, ${id}, now(), now(), 'aal1')`;
    await tx`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
             values ('00000000-0000-0000-0000-000000000000', ${sessionId.slice(0, 12)}, ${id}, false, now(), now(), ${sessionId})`;
    await tx`update public.user_roles set role = 'support' where user_id = ${id}`;
  });
  return { id, claims: JSON.stringify({ sub: id, role: "authenticated", session_id: sessionId, aud: "authenticated" }) };
}

async function deleteStaff(sql: Sql, staff: Staff): Promise<void> {
  await sql`delete from auth.users where id = ${staff.id}`;
}

async function directorySize(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from private.user_directory`;
  return row?.n ?? 0;
}

// ── one measurement ──────────────────────────────────────────────────────────────────────────────────

export type AuthServer = { url: string; secretKey: string };

export type UserSearchMeasurement = {
  /** The directory size this measurement was meant for (null: the database as it was). */
  size: number | null;
  /** Users in private.user_directory while measuring, the support member included. */
  users: number;
  rounds: number;
  search: Latency;
  anchor: Latency;
  perSearch: { label: string; p50: number }[];
  perAnchor: { filter: string; p50: number }[];
};

export type MeasureOptions = {
  sql: Sql;
  auth: AuthServer;
  rounds?: number;
  warmupRounds?: number;
  /** Searches as this support member; one is created (and deleted again) otherwise. */
  staff?: Staff;
  size?: number;
};

/** p50/p95 of the app's search and of the anchor at the database's current size. */
export async function measureUserSearch(opts: MeasureOptions): Promise<UserSearchMeasurement> {
  const { sql, auth } = opts;
  const rounds = opts.rounds ?? DEFAULT_ROUNDS;
  const warmupRounds = opts.warmupRounds ?? WARMUP_ROUNDS;
  const staff = opts.staff ?? (await createStaff(sql));
  try {
    const users = await directorySize(sql);
    const [picked] = await sql<{ id: string }[]>`
      select id::text as id from private.user_directory order by created_at desc limit 1 offset ${Math.min(10, Math.max(0, users - 1))}`;
    const idPrefix = (picked?.id ?? "").slice(0, 8);

    const search = async (s: Search): Promise<number> => {
      const q = s.idPrefix ? idPrefix : (s.q ?? null);
      const started = performance.now();
      await sql.begin(async (tx) => {
        // As lib/db/rls.ts: the switch to `authenticated` goes out in the same round trip as the queries.
        const setup = tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${staff.claims}, true)`.execute();
        setup.catch(() => undefined);
        const page = (after: { key: string; id: string } | null) => tx<{ id: string; cursor_key: string }[]>`
          select id, cursor_key, total, total_exact from private.search_users_page(
            p_query => ${q}::text, p_sort => ${s.sort ?? "created"}::text, p_descending => ${s.desc ?? true}::boolean,
            p_role => ${s.role ?? null}::public.app_role, p_banned => ${s.banned ?? null}::boolean,
            p_provider => ${s.provider ?? null}::text, p_has_mfa => ${s.mfa ?? null}::boolean, p_limit => ${PAGE_SIZE + 1},
            p_after_key => ${after?.key ?? null}::text, p_after_id => ${after?.id ?? null}::uuid)`;
        // As searchUsersInTx: the page and its total in one call.
        const rows = await page(null);
        if (s.second) {
          const last = rows[PAGE_SIZE - 1];
          if (last) await page({ key: last.cursor_key, id: last.id });
        }
        await setup;
      });
      return performance.now() - started;
    };

    const anchor = async (filter: string): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${auth.url}/auth/v1/admin/users?page=1&per_page=${PAGE_SIZE}&filter=${encodeURIComponent(filter)}`, {
        headers: { apikey: auth.secretKey, authorization: `Bearer ${auth.secretKey}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) throw new Error(`GET /auth/v1/admin/users?filter=${filter}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      return performance.now() - started;
    };

    const searchTimes = SEARCHES.map(() => [] as number[]);
    const anchorTimes = ANCHOR_FILTERS.map(() => [] as number[]);
    for (let round = -warmupRounds; round < rounds; round++) {
      for (const task of roundOrder(round)) {
        const t = task.kind === "search" ? await search(SEARCHES[task.index] as Search) : await anchor(ANCHOR_FILTERS[task.index] as string);
        if (round < 0) continue;
        (task.kind === "search" ? searchTimes : anchorTimes)[task.index]?.push(t);
      }
    }
    return {
      size: opts.size ?? null,
      users,
      rounds,
      search: latency(searchTimes.flat()),
      anchor: latency(anchorTimes.flat()),
      perSearch: SEARCHES.map((s, i) => ({ label: s.label, p50: latency(searchTimes[i] ?? []).p50 })),
      perAnchor: ANCHOR_FILTERS.map((filter, i) => ({ filter, p50: latency(anchorTimes[i] ?? []).p50 })),
    };
  } finally {
    if (!opts.staff) await deleteStaff(sql, staff);
  }
}

// ── 1,000 and 100,000 users ──────────────────────────────────────────────────────────────────────────

export type UserSearchBench = {
  measurements: UserSearchMeasurement[];
  /** Each seed that brought the directory up to a size. */
  seeds: { toSize: number; users: number; seconds: number }[];
  /** Tables the clean-up could not compact because they were in use (named, not an error). */
  uncompacted: string[];
};

export type BenchOptions = { sql: Sql; auth: AuthServer; rounds?: number; sizes?: readonly number[]; log?: Log };

/**
 * Seeds users @bench.seed.test until the directory holds each of `sizes` in turn and measures at each; the
 * seeded users and the support member are removed again, and the tables compacted, whatever happens.
 */
export async function benchUserSearch(opts: BenchOptions): Promise<UserSearchBench> {
  const { sql, auth } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const sizes = opts.sizes ?? USER_SEARCH_SIZES;
  const result: UserSearchBench = { measurements: [], seeds: [], uncompacted: [] };
  let staff: Staff | null = null;
  let failed = false;
  try {
    const [leftover] = await sql<{ n: number }[]>`select count(*)::int as n from auth.users where email like ${`%@${BENCH_DOMAIN}`}`;
    if ((leftover?.n ?? 0) > 0) {
      log(`user search: removing ${leftover?.n} users @${BENCH_DOMAIN} left by an earlier run`);
      await remove(sql, { domain: BENCH_DOMAIN }, log);
    }
    staff = await createStaff(sql);
    for (const size of sizes) {
      const count = usersToSeed(await directorySize(sql), size);
      if (count > 0) {
        const { seconds } = await seed(sql, { count, domain: BENCH_DOMAIN }, log);
        result.seeds.push({ toSize: size, users: count, seconds });
      }
      const m = await measureUserSearch({ sql, auth, rounds: opts.rounds, staff, size });
      log(
        `✔ user search at ${m.users.toLocaleString("en")} users: p50 ${m.search.p50.toFixed(2)} ms, p95 ${m.search.p95.toFixed(2)} ms; ` +
          `anchor p50 ${m.anchor.p50.toFixed(2)} ms, p95 ${m.anchor.p95.toFixed(2)} ms`,
      );
      result.measurements.push(m);
    }
    return result;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    result.uncompacted = await cleanUp(sql, staff, log).catch((error: unknown) => {
      // A failed clean-up after a failed run must not hide the run's error.
      if (!failed) throw error;
      console.error(`user search clean-up: ${(error as Error).message}`);
      return [];
    });
  }
}

/** Removes the support member and the seeded users, and compacts; retries tables another transaction held. */
async function cleanUp(sql: Sql, staff: Staff | null, log: Log): Promise<string[]> {
  if (staff) await deleteStaff(sql, staff);
  return removeBenchUsers(sql, log);
}

/**
 * Removes every user @bench.seed.test (the seeded users and the support member) and compacts the tables;
 * returns those still uncompacted after a few attempts. For a bench that was interrupted, on a fresh pool:
 * a seed batch still open on the old one must be rolled back first (end that pool), or it commits afterwards.
 */
export async function removeBenchUsers(sql: Sql, log: Log = (line) => console.log(line)): Promise<string[]> {
  let { skipped } = await remove(sql, { domain: BENCH_DOMAIN }, log);
  for (let attempt = 0; attempt < 3 && skipped.length > 0; attempt++) {
    await new Promise((r) => setTimeout(r, 5_000));
    ({ skipped } = await remove(sql, { domain: BENCH_DOMAIN }, log));
  }
  return skipped;
}

/**
 * After an interrupt while `pool` seeds or measures: ends it, so that a seed batch in flight is rolled back
 * rather than committed after the removal, then removes the bench users on a fresh pool. Never throws.
 */
export async function removeAfterInterrupt(pool: Sql): Promise<void> {
  console.error("\ninterrupted: removing the users seeded for the user search");
  await pool.end({ timeout: 0 }).catch(() => undefined);
  let fresh: Sql | null = null;
  try {
    fresh = localTargets().sql;
    await removeBenchUsers(fresh);
  } catch (error) {
    console.error(`user search: ${(error as Error).message}; remove them with npm run seed:users -- --remove --tag ${BENCH_TAG}`);
  } finally {
    await fresh?.end({ timeout: 5 }).catch(() => undefined);
  }
}

/** A pool on the local database (refused otherwise) and the local Auth server, as the bench uses them. */
export function localTargets(): { sql: Sql; auth: AuthServer } {
  const url = databaseUrl();
  if (!isLocalDatabaseUrl(url)) throw new Error("DATABASE_URL is not a database on this machine; the user search bench only runs locally");
  const { urls, secrets } = localStack();
  return {
    sql: postgres(url, { max: CONNECTIONS, connect_timeout: 10, onnotice: () => {}, prepare: true }),
    auth: { url: urls.api, secretKey: secrets.secret_key },
  };
}

async function main(argv: string[]): Promise<number> {
  let args: UserSearchArgs;
  try {
    args = parseUserSearchArgs(argv);
  } catch (error) {
    console.error(`user-search: ${(error as Error).message}\nusage: node scripts/bench/user-search.ts [--rounds n] [--scale]`);
    return 2;
  }
  const { sql, auth } = localTargets();
  if (args.scale) {
    const stop = () => void removeAfterInterrupt(sql).then(() => process.exit(130));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  }
  try {
    if (args.scale) console.log(formatUserSearchConsole(await benchUserSearch({ sql, auth, rounds: args.rounds }), USER_SEARCH_TARGET_RATIO));
    else console.log(formatMeasurementConsole(await measureUserSearch({ sql, auth, rounds: args.rounds })));
    return 0;
  } catch (error) {
    console.error(`user-search: ${(error as Error).stack}`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
