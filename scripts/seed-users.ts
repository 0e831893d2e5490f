import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import postgres from "postgres";

/**
 * `npm run seed:users -- <count> [--tag <tag>]`: creates <count> realistic users in the local database, as the
 * local Auth server writes them after a Google or Apple sign-in: auth.users with confirmed emails and the
 * provider metadata, auth.identities in each provider's shape (the emulators' subjects, so that a seeded user
 * can sign in through them by typing the email), profiles and roles (written by the project's own sign-up
 * trigger), some staff, some banned, some with a verified TOTP factor, most with a last sign-in. The admin
 * user search structure (private.user_directory) follows through its triggers.
 *
 * `npm run seed:users -- --remove [--tag <tag>]` deletes them again (their identities, factors, profiles,
 * roles and directory rows go with them). Seeded users are recognised by their email domain only:
 * `@seed.test`, or `@<tag>.seed.test` with a tag. No audit rows are written: they are append-only, and the
 * seed must be removable without a trace.
 *
 * Set-based SQL (generate_series), batches of BATCH users on two connections, progress on stdout. Refuses any
 * database that is not on this machine.
 */

const USAGE = `usage: npm run seed:users -- <count> [--tag <tag>]
       npm run seed:users -- --remove [--tag <tag>]
  Seeded emails end in @seed.test, or @<tag>.seed.test with --tag (letters, digits, dashes).
  DATABASE_URL is read from the environment, else from .env.local; it must be a local database.`;

const BATCH = 5_000;
/** Connections the seed writes on; a pool for seed() and remove() should have this many. */
export const CONNECTIONS = 2;
const MAX_COUNT = 1_000_000;

class UsageError extends Error {}

export type Options = { remove: boolean; count: number; domain: string };

/** The email domain of the users seeded with `tag` (none: `seed.test`). */
export function seedDomain(tag: string | null): string {
  return tag === null ? "seed.test" : `${tag}.seed.test`;
}

export function parseArgs(argv: string[]): Options {
  let remove = false;
  let tag: string | null = null;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--remove") remove = true;
    else if (arg === "--tag") {
      tag = argv[++i] ?? null;
      if (tag === null) throw new UsageError("--tag needs a value");
    } else if (arg.startsWith("--tag=")) tag = arg.slice("--tag=".length);
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (tag !== null && !/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(tag)) {
    throw new UsageError(`not a tag: ${JSON.stringify(tag)} (lower-case letters, digits and dashes)`);
  }
  const domain = seedDomain(tag);
  if (remove) {
    if (positional.length > 0) throw new UsageError("--remove takes no count");
    return { remove, count: 0, domain };
  }
  if (positional.length !== 1) throw new UsageError("expected the number of users to create");
  const count = Number(positional[0]!.replaceAll("_", ""));
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new UsageError(`the count must be a whole number from 1 to ${MAX_COUNT.toLocaleString("en")}`);
  }
  return { remove, count, domain };
}

/** DATABASE_URL from the environment, else from .env.local (which `npm run stack -- start` writes). */
export function databaseUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  const file = join(process.cwd(), ".env.local");
  if (existsSync(file)) {
    const value = parseEnv(readFileSync(file, "utf8")).DATABASE_URL;
    if (value) return value;
  }
  throw new Error("DATABASE_URL is not set and .env.local has none (`npm run stack -- start` writes it)");
}

/** Loopback only: a seed must never reach a hosted project, and there is no option to allow it. */
export function isLocalDatabaseUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(host);
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The same rule for a connection pool handed in by another script. */
function assertLocal(sql: postgres.Sql): void {
  const hosts = sql.options.host;
  if (hosts.length === 0 || !hosts.every(isLoopbackHost)) {
    throw new Error(`not a database on this machine (${hosts.join(", ")}); seed-users only ever writes to a local one`);
  }
}

const FIRST_NAMES = [
  "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia", "Donald",
  "Sophie", "Tim", "Hedy", "John", "Katherine", "Claude", "Joan", "Niklaus", "Shafi", "Leslie", "Anita", "Bjarne",
  "Lucía", "Mateo", "Chloé", "Jonas", "Aiko", "Kenji", "Priya", "Arjun", "Fatima", "Omar", "Ingrid", "Lars",
  "Zoë", "Noah", "Amara", "Kwame", "Mei", "Wei", "Olga", "Ivan", "Sara", "Luca", "Emma", "Liam",
];
const LAST_NAMES = [
  "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra",
  "Perlman", "Knuth", "Wilson", "Berners-Lee", "Lamarr", "McCarthy", "Johnson", "Shannon", "Clarke", "Wirth",
  "Goldwasser", "Lamport", "Borg", "Stroustrup", "García", "Müller", "Dubois", "Nakamura", "Sato", "Patel",
  "Sharma", "Haddad", "Okafor", "Mensah", "Chen", "Wang", "Ivanova", "Petrov", "Rossi", "Jensen", "Nielsen",
  "O'Brien", "Kowalski", "Novak", "Silva", "Santos", "Kim", "Park",
];

type Sql = postgres.Sql;
type Log = (line: string) => void;
const stdout: Log = (line) => console.log(line);

/**
 * One batch of users numbered [from, to], in one transaction. Shares of the population (per user, at random):
 * Google only 60 %, Apple only 30 %, both 10 %; an Apple-only user without a name 25 % (Apple sends it on the
 * first sign-in only); never signed in again after sign-up 15 %; banned 2 % (half for 30 days, half for good);
 * a verified TOTP factor 8 %; support 1 %, admin 0.2 %.
 */
async function seedBatch(sql: Sql, domain: string, from: number, to: number): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      create temp table seed_batch on commit drop as
      select
        gen_random_uuid() as id,
        n,
        first_name,
        last_name,
        lower(translate(first_name || '.' || last_name, 'áéíóúüöëçñ'' ', 'aeiouuoecn')) || '.' || n || '@' || ${domain}::text as email,
        case when r_provider < 0.6 then array['google'] when r_provider < 0.9 then array['apple'] else array['google', 'apple'] end
          as providers,
        r_provider >= 0.6 and r_provider < 0.9 and r_name < 0.25 as nameless,
        created_at,
        case when r_signin < 0.15 then created_at
             else created_at + (now() - created_at) * random() end as last_sign_in_at,
        case when r_ban < 0.01 then now() + interval '30 days' * random()
             when r_ban < 0.02 then now() + interval '876000 hours' end as banned_until,
        r_mfa < 0.08 as has_mfa,
        case when r_role < 0.002 then 'admin' when r_role < 0.012 then 'support' end::public.app_role as role
      from (
        select
          n,
          (${FIRST_NAMES}::text[])[1 + floor(random() * ${FIRST_NAMES.length})::int] as first_name,
          (${LAST_NAMES}::text[])[1 + floor(random() * ${LAST_NAMES.length})::int] as last_name,
          now() - interval '3 years' * power(random(), 0.7) as created_at,
          random() as r_provider, random() as r_name, random() as r_signin, random() as r_ban, random() as r_mfa,
          random() as r_role
        from generate_series(${from}::int, ${to}::int) n
      ) g`;

    // What the provider sent, per identity: the emulators' subject for the email, the claims the local Auth
    // server stores (stack/auth/providers/google.ts, apple.ts).
    await tx`
      create temp table seed_identities on commit drop as
      select
        b.id as user_id,
        p.provider,
        p.ord,
        p.provider || '-' || left(encode(sha256(convert_to(b.email, 'UTF8')), 'hex'), 16) as sub,
        b.email,
        b.first_name || ' ' || b.last_name as full_name,
        b.nameless,
        -- The second provider was linked at some later sign-in.
        case when p.ord = 1 then b.created_at else b.created_at + (b.last_sign_in_at - b.created_at) * random() end as created_at,
        b.last_sign_in_at
      from seed_batch b
      cross join lateral unnest(b.providers) with ordinality as p (provider, ord)`;

    await tx`
      create temp table seed_identity_data on commit drop as
      select
        i.*,
        case i.provider
          when 'google' then jsonb_build_object(
            'iss', 'http://127.0.0.1:54325/google', 'sub', i.sub, 'name', i.full_name, 'email', i.email,
            'picture', 'https://example.com/a.png', 'full_name', i.full_name, 'avatar_url', 'https://example.com/a.png',
            'provider_id', i.sub, 'email_verified', true, 'phone_verified', false)
          else jsonb_build_object(
            'iss', 'http://127.0.0.1:54325/apple', 'sub', i.sub, 'email', i.email, 'provider_id', i.sub,
            'custom_claims', jsonb_build_object('is_private_email', false), 'email_verified', true, 'phone_verified', false)
            || case when i.nameless then '{}'::jsonb else jsonb_build_object('name', i.full_name, 'full_name', i.full_name) end
        end as data
      from seed_identities i`;

    // The user's metadata is the first identity's claims (the sign-up), as the Auth server merges them; the
    // project's on_auth_user_created trigger writes the profile (name, avatar) and the `user` role from it.
    await tx`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, confirmation_token, recovery_token,
        email_change_token_new, email_change, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,
        created_at, updated_at, banned_until, is_sso_user, is_anonymous)
      select
        '00000000-0000-0000-0000-000000000000', b.id, 'authenticated', 'authenticated', b.email, '', b.created_at, '', '',
        '', '', b.last_sign_in_at,
        jsonb_build_object('provider', b.providers[1], 'providers', to_jsonb(b.providers)),
        d.data, null, b.created_at, b.last_sign_in_at, b.banned_until, false, false
      from seed_batch b
      join seed_identity_data d on d.user_id = b.id and d.ord = 1`;

    await tx`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      select d.sub, d.user_id, d.data, d.provider, d.last_sign_in_at, d.created_at, d.created_at
      from seed_identity_data d`;

    await tx`
      insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
      select gen_random_uuid(), b.id, (array['Authenticator', 'Phone', '1Password', ''])[1 + floor(random() * 4)::int],
             'totp', 'verified', t, t, upper(translate(md5(random()::text || b.id::text), '0189', 'wxyz'))
      from seed_batch b
      cross join lateral (select b.created_at + (now() - b.created_at) * random() as t) f
      where b.has_mfa`;

    await tx`
      update public.user_roles r set role = b.role
      from seed_batch b
      where r.user_id = b.id and b.role is not null`;

    // The profile's timestamps are the sign-up's, not this script's.
    await tx`
      update public.profiles p set created_at = b.created_at
      from seed_batch b
      where p.id = b.id`;
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * Adds `count` users @`domain`, numbered after those already there; returns how long the writes took (the
 * batches and the `vacuum (analyze)` that follows, not the summary query).
 */
export async function seed(sql: Sql, { count, domain }: Pick<Options, "count" | "domain">, log: Log = stdout): Promise<{ created: number; seconds: number }> {
  assertLocal(sql);
  const [existing] = await sql<{ n: number }[]>`
    select count(*)::int as n from auth.users where email like ${`%@${domain}`}`;
  // Numbers continue after the users already seeded with this domain, so that a second run adds users.
  const offset = existing?.n ?? 0;
  if (offset > 0) log(`seed-users: ${offset.toLocaleString("en")} users @${domain} exist already; adding ${count.toLocaleString("en")}`);
  const started = performance.now();
  const batches: Array<[number, number]> = [];
  for (let from = 1; from <= count; from += BATCH) batches.push([offset + from, offset + Math.min(from + BATCH - 1, count)]);
  let done = 0;
  let analyzed: Promise<unknown> | undefined;
  const worker = async () => {
    for (let next = batches.shift(); next; next = batches.shift()) {
      await seedBatch(sql, domain, next[0], next[1]);
      done += next[1] - next[0] + 1;
      log(`seed-users: ${done.toLocaleString("en")} / ${count.toLocaleString("en")} users (${seconds(started)})`);
      // Once the first batch is in, statistics for the tables the triggers look users up in. A trigger's
      // lookup planned while a table was almost empty scans it whole, and a connection keeps that plan until
      // the table's statistics change, which autovacuum does only minutes later: 100,000 users into an empty
      // directory took 45 to 75 s instead of under 20.
      analyzed ??= sql.unsafe(`analyze ${SEEDED_TABLES.join(", ")}`);
      await analyzed;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  // As after any bulk load: fresh statistics, so that the search's estimated counts and plans see the new
  // users at once, and the visibility map set, which the search's index-only scans read (autovacuum would set
  // it within minutes).
  await sql.unsafe(`vacuum (analyze) ${SEEDED_TABLES.join(", ")}`);
  const elapsed = (performance.now() - started) / 1000;
  const [summary] = await sql<{ users: number; banned: number; mfa: number; staff: number; both: number }[]>`
    select count(*)::int as users,
           count(*) filter (where banned_until > now())::int as banned,
           count(*) filter (where has_mfa)::int as mfa,
           count(*) filter (where role <> 'user')::int as staff,
           count(*) filter (where cardinality(providers) > 1)::int as both
    from private.user_directory where email like ${`%@${domain}`}`;
  log(
    `seed-users: ${count.toLocaleString("en")} users created in ${seconds(started)}; @${domain} now holds ` +
      `${summary?.users.toLocaleString("en")} users (${summary?.banned} banned, ${summary?.mfa} with TOTP, ` +
      `${summary?.staff} staff, ${summary?.both} with Google and Apple)`,
  );
  return { created: count, seconds: elapsed };
}

/**
 * Deletes the users @`domain` and compacts the tables they were in; returns how many went and the tables left
 * uncompacted because another transaction held them (calling it again compacts those).
 */
export async function remove(sql: Sql, { domain }: Pick<Options, "domain">, log: Log = stdout): Promise<{ removed: number; skipped: string[] }> {
  assertLocal(sql);
  const started = performance.now();
  const deleted = await sql`delete from auth.users where email like ${`%@${domain}`}`;
  log(`seed-users: removed ${deleted.count.toLocaleString("en")} users @${domain} in ${seconds(started)}`);
  // Give the space back, so that the database is as fast as before the seed: 100,000 deleted users leave
  // tables and indexes a hundred times their size, which every sequential scan then reads (the search's
  // exact count among them). Each table is locked for the few milliseconds its rewrite takes.
  // A table in use by another transaction is skipped rather than waited for: the lock a rewrite takes would
  // hold up the Auth server and everyone else queued behind it.
  const vacuumed = performance.now();
  const connection = await sql.reserve();
  const skipped: string[] = [];
  try {
    await connection`set lock_timeout = '2s'`;
    for (const table of VACUUMED) {
      try {
        await connection.unsafe(`vacuum (full, analyze) ${table}`);
      } catch (error) {
        if ((error as { code?: string }).code !== "55P03") throw error;
        skipped.push(table);
      }
    }
  } finally {
    connection.release();
  }
  log(
    `seed-users: tables compacted in ${seconds(vacuumed)}` +
      (skipped.length ? `; busy, left as they are: ${skipped.join(", ")} (run --remove again later to compact them)` : ""),
  );
  return { removed: deleted.count, skipped };
}

/** The tables a seed writes to, directly or through the project's triggers. */
const SEEDED_TABLES = ["auth.users", "auth.identities", "auth.mfa_factors", "public.profiles", "public.user_roles", "private.user_directory"];

/** Those, and the tables that hold rows of the seeded users once they have signed in. */
const VACUUMED = [...SEEDED_TABLES, "auth.sessions", "auth.refresh_tokens"];

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  try {
    const options = parseArgs(argv);
    const url = databaseUrl();
    if (!isLocalDatabaseUrl(url)) {
      throw new Error("DATABASE_URL is not a database on this machine; seed-users only ever writes to a local one");
    }
    const sql = postgres(url, { max: CONNECTIONS, connect_timeout: 10, onnotice: () => {} });
    try {
      if (options.remove) await remove(sql, options);
      else await seed(sql, options);
    } finally {
      await sql.end({ timeout: 5 });
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`seed-users: ${error.message}\n${USAGE}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "ECONNREFUSED" ? " (is the database running? `npm run stack -- start`)" : "";
    console.error(`seed-users: ${(error as Error).message}${hint}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
