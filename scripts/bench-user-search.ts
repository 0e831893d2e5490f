import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import postgres from "postgres";

/**
 * `node scripts/bench-user-search.ts [rounds]`: latency of the admin user search at the database's current
 * size, run by hand (not yet part of `npm run bench`). Seed first, e.g. `npm run seed:users -- 1000`, run
 * this, seed up to 100,000, run it again, then `npm run seed:users -- --remove`.
 *
 * Each sample is what lib/admin/search-users.ts does for one page: one transaction as an `authenticated`
 * support member with verified-looking claims, private.search_users() (page size 25 + 1), then
 * private.search_users_count() unless the first page held every match. A mix of searches, rotated every round. As an anchor, the same
 * number of calls to the Auth server's own GET /auth/v1/admin/users?filter= (LIKE over auth.users, OFFSET
 * paging, exact count), which Supabase Studio's users page uses.
 *
 * The support member it signs in as is created here (a user, a session, a live refresh token, in SQL) under
 * @bench.seed.test and deleted at the end. Local databases only.
 */

function env(name: string): string {
  const file = join(process.cwd(), ".env.local");
  const value = process.env[name] ?? (existsSync(file) ? parseEnv(readFileSync(file, "utf8"))[name] : undefined);
  if (!value) throw new Error(`${name} is not set and .env.local has none`);
  return value;
}

type Search = {
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
};

const SEARCHES: Search[] = [
  { label: "everyone, newest first" },
  { label: "name substring (lovelace)", q: "lovelace" },
  { label: "email substring (ada.lovelace.1)", q: "ada.lovelace.1", sort: "email", desc: false },
  { label: "two-letter prefix (gr)", q: "gr", sort: "last_sign_in" },
  { label: "id prefix (8 hex)", q: "" /* filled in from a real id */ },
  { label: "role admin, by email", role: "admin", sort: "email", desc: false },
  { label: "banned", banned: true },
  { label: "Apple with MFA, last sign-in", provider: "apple", mfa: true, sort: "last_sign_in" },
  { label: "name substring (hopper), oldest sign-in first", q: "hopper", sort: "last_sign_in", desc: false },
  { label: "everyone, page 2 by email", sort: "email", desc: false, second: true },
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 30);
  const url = env("DATABASE_URL");
  if (!/^postgres(ql)?:\/\/[^@]*@(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) throw new Error("local databases only");
  const sql = postgres(url, { max: 1, onnotice: () => {}, prepare: true });
  const staffId = crypto.randomUUID();
  const sessionId = crypto.randomUUID();
  try {
    await sql.begin(async (tx) => {
      await tx`insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
               values ('00000000-0000-0000-0000-000000000000', ${staffId}, 'authenticated', 'authenticated',
                       ${`staff-${staffId.slice(0, 8)}@bench.seed.test`}, '{}', '{}', now(), now())`;
      await tx`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values (${sessionId}, ${staffId}, now(), now(), 'aal1')`;
      await tx`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
               values ('00000000-0000-0000-0000-000000000000', ${sessionId.slice(0, 12)}, ${staffId}, false, now(), now(), ${sessionId})`;
      await tx`update public.user_roles set role = 'support' where user_id = ${staffId}`;
    });
    const [{ users, anyId } = { users: 0, anyId: "" }] = await sql<{ users: number; anyId: string }[]>`
      select count(*)::int as users, (select id::text from private.user_directory order by created_at desc limit 1 offset 10) as "anyId"
      from private.user_directory`;
    SEARCHES[4]!.q = anyId.slice(0, 8);
    const claims = JSON.stringify({ sub: staffId, role: "authenticated", session_id: sessionId, aud: "authenticated" });

    const one = async (s: Search): Promise<number> => {
      const started = performance.now();
      await sql.begin(async (tx) => {
        // As lib/db/rls.ts: the switch to `authenticated` goes out in the same round trip as the queries.
        const setup = tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`.execute();
        setup.catch(() => undefined);
        const page = (after: { key: string; id: string } | null) => tx<{ id: string; cursor_key: string }[]>`
          select id, cursor_key from private.search_users(
            p_query => ${s.q ?? null}::text, p_sort => ${s.sort ?? "created"}::text, p_descending => ${s.desc ?? true}::boolean,
            p_role => ${s.role ?? null}::public.app_role, p_banned => ${s.banned ?? null}::boolean,
            p_provider => ${s.provider ?? null}::text, p_has_mfa => ${s.mfa ?? null}::boolean, p_limit => 26,
            p_after_key => ${after?.key ?? null}::text, p_after_id => ${after?.id ?? null}::uuid)`;
        const count = () => tx`select * from private.search_users_count(
            p_query => ${s.q ?? null}::text, p_role => ${s.role ?? null}::public.app_role, p_banned => ${s.banned ?? null}::boolean,
            p_provider => ${s.provider ?? null}::text, p_has_mfa => ${s.mfa ?? null}::boolean)`;
        // As searchUsersInTx: a first page holding every match is the total; otherwise ask for the count.
        const rows = await page(null);
        if (rows.length > 25) await count();
        if (s.second) {
          const last = rows[24];
          if (last) {
            await page({ key: last.cursor_key, id: last.id });
            await count();
          }
        }
        await setup;
      });
      return performance.now() - started;
    };

    const authUrl = env("NEXT_PUBLIC_SUPABASE_URL");
    const secret = env("SUPABASE_SECRET_KEY");
    const anchor = async (filter: string): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${authUrl}/auth/v1/admin/users?page=1&per_page=25&filter=${encodeURIComponent(filter)}`, {
        headers: { apikey: secret, authorization: `Bearer ${secret}` },
      });
      if (!response.ok) throw new Error(`GET /admin/users: ${response.status}`);
      await response.arrayBuffer();
      return performance.now() - started;
    };
    const anchorFilters = ["", "lovelace", "ada.lovelace.1", "gr", "hopper"];

    for (const s of SEARCHES) await one(s);
    for (const f of anchorFilters) await anchor(f);
    const times: number[] = [];
    const perSearch = new Map<string, number[]>();
    const anchorTimes: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const s of SEARCHES) {
        const t = await one(s);
        times.push(t);
        perSearch.set(s.label, [...(perSearch.get(s.label) ?? []), t]);
      }
      for (const f of anchorFilters) anchorTimes.push(await anchor(f));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const anchorSorted = [...anchorTimes].sort((a, b) => a - b);
    console.log(`users in the directory: ${users.toLocaleString("en")}; ${times.length} searches (${rounds} rounds of ${SEARCHES.length})`);
    console.log(`search_users + count: p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms`);
    for (const [label, ts] of perSearch) {
      const s = [...ts].sort((a, b) => a - b);
      console.log(`  ${label.padEnd(48)} p50 ${percentile(s, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(s, 95).toFixed(2).padStart(7)} ms`);
    }
    console.log(
      `anchor GET /auth/v1/admin/users?filter= (${anchorTimes.length} calls): p50 ${percentile(anchorSorted, 50).toFixed(2)} ms, ` +
        `p95 ${percentile(anchorSorted, 95).toFixed(2)} ms`,
    );
  } finally {
    await sql`delete from auth.users where id = ${staffId}`;
    await sql.end({ timeout: 5 });
  }
}

await main();
