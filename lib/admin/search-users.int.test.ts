import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { pool } from "../db/client";
import { loadLocalStackEnv } from "../test-support/local-env";
import { testUsers } from "../test-support/users";
import { listUsers } from "./list-users";
import { searchUsers, type AdminUserSearchRow, type SearchUsersInput } from "./search-users";
import { encodeUserSearchCursor } from "./user-search-cursor";

// `npm run seed:users` and the admin user search against the running local stack: 500 seeded users of their
// own domain, the structure the triggers build for them, and searchUsers() through withRls as real staff
// members, each answer checked against the Auth tables themselves. Nothing is mocked.
loadLocalStackEnv();

const run = promisify(execFile);
const TAG = `int-${randomUUID().slice(0, 8)}`;
const DOMAIN = `${TAG}.seed.test`;
const SEEDED = 500;

const { db, createUser, contextFor, cleanup } = testUsers("search-users.test");

function seedUsers(...args: string[]) {
  return run(process.execPath, ["scripts/seed-users.ts", ...args, "--tag", TAG], { cwd: process.cwd(), env: process.env });
}

type Truth = {
  id: string;
  email: string;
  name: string | null;
  providers: string[];
  role: string;
  banned: boolean;
  mfa: boolean;
  created: string;
  lastSignIn: string | null;
};

/** The seeded users as the Auth tables, profiles and roles say, without the directory. */
async function truth(): Promise<Truth[]> {
  return db<Truth[]>`
    select u.id, lower(u.email) as email, p.display_name as name,
           coalesce((select array_agg(distinct i.provider order by i.provider) from auth.identities i where i.user_id = u.id), '{}') as providers,
           coalesce(r.role::text, 'user') as role,
           coalesce(u.banned_until > now(), false) as banned,
           exists (select 1 from auth.mfa_factors f where f.user_id = u.id and f.status = 'verified') as mfa,
           to_char(u.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created,
           to_char(u.last_sign_in_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as "lastSignIn"
    from auth.users u
    left join public.profiles p on p.id = u.id
    left join public.user_roles r on r.user_id = u.id
    where u.email like ${`%@${DOMAIN}`}`;
}

/** Every page of a search, following nextCursor; fails on an error result. */
async function allPages(auth: AuthContext, input: SearchUsersInput): Promise<AdminUserSearchRow[]> {
  const rows: AdminUserSearchRow[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const result = await searchUsers(auth, { ...input, cursor });
    if (!result.ok) throw new Error(`search failed: ${result.error.code} ${result.error.message}`);
    rows.push(...result.users);
    if (!result.nextCursor) return rows;
    cursor = result.nextCursor;
  }
  throw new Error("more than 100 pages");
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

let support: AuthContext;
let admin: AuthContext;
let plain: AuthContext;
let seeded: Truth[];

beforeAll(async () => {
  const seed = await seedUsers(String(SEEDED));
  expect(seed.stdout).toMatch(new RegExp(`${SEEDED} users created`));
  support = await contextFor((await createUser("support", "support")).email);
  admin = await contextFor((await createUser("admin", "admin")).email);
  plain = await contextFor((await createUser("plain")).email);
  seeded = await truth();
});

afterAll(async () => {
  await seedUsers("--remove").catch(() => undefined);
  await cleanup();
  await pool().end({ timeout: 5 });
});

describe("seed:users", () => {
  it("creates the users with identities, profiles, roles, bans and factors, and the directory reflects them", async () => {
    expect(seeded).toHaveLength(SEEDED);
    // Every kind of user the dashboard filters on is there.
    expect(seeded.filter((u) => u.providers.join() === "google").length).toBeGreaterThan(200);
    expect(seeded.filter((u) => u.providers.join() === "apple").length).toBeGreaterThan(80);
    expect(seeded.filter((u) => u.providers.join() === "apple,google").length).toBeGreaterThan(10);
    expect(seeded.filter((u) => u.mfa).length).toBeGreaterThan(10);
    expect(seeded.filter((u) => u.role !== "user").length).toBeGreaterThan(0);
    expect(seeded.filter((u) => u.lastSignIn === null)).toHaveLength(0);

    const directory = await db<Truth[]>`
      select d.id, d.email, d.display_name as name, d.providers, d.role::text as role,
             coalesce(d.banned_until > now(), false) as banned, d.has_mfa as mfa,
             to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created,
             to_char(d.last_sign_in_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as "lastSignIn"
      from private.user_directory d where d.email like ${`%@${DOMAIN}`}`;
    const byId = (rows: Truth[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(directory)).toEqual(byId(seeded));
  });

  it("writes identities in the shape the local Auth server writes, with the emulators' subjects", async () => {
    const [google] = await db<{ provider_id: string; identity_data: Record<string, unknown>; email: string }[]>`
      select i.provider_id, i.identity_data, i.email from auth.identities i join auth.users u on u.id = i.user_id
      where u.email like ${`%@${DOMAIN}`} and i.provider = 'google' limit 1`;
    expect(google?.identity_data).toMatchObject({
      iss: "http://127.0.0.1:54325/google",
      sub: google?.provider_id,
      provider_id: google?.provider_id,
      email: google?.email,
      email_verified: true,
      phone_verified: false,
    });
    const { createHash } = await import("node:crypto");
    expect(google?.provider_id).toBe(`google-${createHash("sha256").update(google?.email ?? "").digest("hex").slice(0, 16)}`);
  });
});

describe("searchUsers", () => {
  it("finds every seeded user exactly once across pages, with an exact count", async () => {
    const first = await searchUsers(support, { q: DOMAIN, pageSize: 100 });
    if (!first.ok) throw new Error(first.error.message);
    // Exact up to 1,000; Postgres's estimate (above 1,000) when its statistics expect more, which the other
    // users of a busy dev database (a 100,000-user seed under seed.test) can make it do.
    if (first.total.exact) expect(first.total.count).toBe(SEEDED);
    else expect(first.total.count).toBeGreaterThan(1000);
    const rows = await allPages(support, { q: DOMAIN, pageSize: 100 });
    expect(rows).toHaveLength(SEEDED);
    expect(ids(rows)).toEqual(ids(seeded));
  });

  it.each([
    ["role support", { role: "support" }, (u: Truth) => u.role === "support"],
    ["role admin", { role: "admin" }, (u: Truth) => u.role === "admin"],
    ["role user", { role: "user" }, (u: Truth) => u.role === "user"],
    ["banned", { status: "banned" }, (u: Truth) => u.banned],
    ["active", { status: "active" }, (u: Truth) => !u.banned],
    ["provider google", { provider: "google" }, (u: Truth) => u.providers.includes("google")],
    ["provider apple", { provider: "apple" }, (u: Truth) => u.providers.includes("apple")],
    ["has MFA", { mfa: true }, (u: Truth) => u.mfa],
    ["has MFA (from a URL)", { mfa: "true" }, (u: Truth) => u.mfa],
    ["no MFA", { mfa: false }, (u: Truth) => !u.mfa],
    ["Apple with MFA", { provider: "apple", mfa: true }, (u: Truth) => u.providers.includes("apple") && u.mfa],
  ] as const)("filters: %s", async (_label, filter, matches) => {
    const rows = await allPages(admin, { q: DOMAIN, pageSize: 100, ...filter });
    expect(ids(rows)).toEqual(ids(seeded.filter(matches)));
  });

  it.each([
    ["created", "desc"],
    ["created", "asc"],
    ["last_sign_in", "desc"],
    ["last_sign_in", "asc"],
    ["email", "asc"],
    ["email", "desc"],
  ] as const)("sort %s %s: pages of 37 in the order of the Auth tables", async (sort, dir) => {
    const rows = await allPages(support, { q: DOMAIN, sort, dir, pageSize: 37 });
    const key = (u: Truth) => (sort === "created" ? u.created : sort === "email" ? u.email : (u.lastSignIn ?? ""));
    const expected = [...seeded].sort((a, b) => {
      const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return dir === "asc" ? order : -order;
    });
    expect(rows.map((r) => r.id)).toEqual(expected.map((u) => u.id));
  });

  it("finds a user by part of their name, part of their email, and a prefix of their id", async () => {
    const user = seeded.find((u) => u.name !== null) ?? seeded[0]!;
    const local = user.email.split("@")[0]!;
    const byEmail = await allPages(support, { q: local });
    expect(byEmail.map((r) => r.id)).toContain(user.id);
    expect(byEmail.every((r) => r.email?.includes(local) || r.displayName?.toLowerCase().includes(local))).toBe(true);

    const lastName = user.name!.split(" ").at(-1)!;
    const byName = await allPages(support, { q: `${lastName.toUpperCase()}`, pageSize: 100 });
    expect(byName.map((r) => r.id)).toContain(user.id);
    expect(
      byName.every((r) => r.displayName?.toLowerCase().includes(lastName.toLowerCase()) || r.email?.includes(lastName.toLowerCase())),
    ).toBe(true);

    const byId = await searchUsers(support, { q: user.id.slice(0, 13) });
    expect(byId).toMatchObject({ ok: true, users: [expect.objectContaining({ id: user.id, email: user.email })] });
  });

  it("gives the total on every page, and after the last match", async () => {
    const matching = seeded.filter((u) => u.mfa).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    expect(matching.length).toBeGreaterThan(4);
    const input = { q: DOMAIN, mfa: true, sort: "email", dir: "asc", pageSize: 2 } as const;
    const first = await searchUsers(support, input);
    if (!first.ok) throw new Error(first.error.message);
    // A full first page: counted (exact up to 1,000, as the first test explains).
    if (first.total.exact) expect(first.total).toEqual({ count: matching.length, exact: true });
    expect(first.users.map((u) => u.id)).toEqual(matching.slice(0, 2).map((u) => u.id));
    const second = await searchUsers(support, { ...input, cursor: first.nextCursor ?? undefined });
    expect(second).toMatchObject({ ok: true, total: first.total, users: matching.slice(2, 4).map((u) => ({ id: u.id })) });
    // A cursor after the last match holds no row to carry the total: it is counted apart.
    const last = matching.at(-1)!;
    const after = encodeUserSearchCursor({ sort: "email", dir: "asc", key: last.email, id: last.id });
    expect(await searchUsers(support, { ...input, cursor: after })).toMatchObject({ ok: true, users: [], nextCursor: null, total: first.total });
    // A first page that holds every match is its own exact total.
    expect(await searchUsers(support, { ...input, pageSize: 100 })).toMatchObject({
      ok: true,
      total: { count: matching.length, exact: true },
    });
  });

  it("returns the row as the dashboard shows it", async () => {
    const user = seeded.find((u) => u.banned && u.mfa) ?? seeded.find((u) => u.banned)!;
    const result = await searchUsers(support, { q: user.email });
    expect(result).toMatchObject({
      ok: true,
      total: { count: 1, exact: true },
      nextCursor: null,
      users: [
        {
          id: user.id,
          email: user.email,
          displayName: user.name,
          providers: user.providers,
          role: user.role,
          banned: true,
          hasMfa: user.mfa,
        },
      ],
    });
  });

  it("is refused to a plain user, and by Postgres to a caller whose role in the token is stale", async () => {
    expect(await searchUsers(plain, { q: DOMAIN })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    // The guard's role says support; the table says user: Postgres refuses.
    const stale: AuthContext = { ...plain, role: "support" };
    expect(await searchUsers(stale, { q: DOMAIN })).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });

  it("refuses invalid input", async () => {
    const page = await searchUsers(support, { q: DOMAIN, sort: "email", pageSize: 5 });
    if (!page.ok || !page.nextCursor) throw new Error("expected a first page with a next cursor");
    expect(await searchUsers(support, { q: DOMAIN, sort: "created", cursor: page.nextCursor })).toMatchObject({
      ok: false,
      error: { code: "invalid_input", message: expect.stringMatching(/another sort order/) },
    });
    expect(await searchUsers(support, { cursor: "garbage" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await searchUsers(support, { q: "x".repeat(101) })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await searchUsers(support, { sort: "name" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await searchUsers(support, { pageSize: 101 })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await searchUsers(support, { provider: "Google'" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  });

  it("listUsers (the current /admin page) reads the same structure, newest first", async () => {
    const rows = await withRls(admin.claims, (tx) => listUsers(tx, 20));
    expect(rows).toHaveLength(20);
    expect(rows.map((r) => r.createdAt)).toEqual([...rows.map((r) => r.createdAt)].sort().reverse());
  });
});

describe("seed:users --remove", () => {
  it("removes the seeded users and their directory rows, and nothing else", async () => {
    const removed = await seedUsers("--remove");
    expect(removed.stdout).toMatch(new RegExp(`removed ${SEEDED} users @${DOMAIN.replaceAll(".", "\\.")}`));
    const [after] = await db<{ users: number; directory: number; staff: number }[]>`
      select (select count(*)::int from auth.users where email like ${`%@${DOMAIN}`}) as users,
             (select count(*)::int from private.user_directory where email like ${`%@${DOMAIN}`}) as directory,
             (select count(*)::int from private.user_directory where id in (${support.userId}, ${admin.userId}, ${plain.userId})) as staff`;
    // Users of other domains (this test's own staff among them) stay.
    expect(after).toEqual({ users: 0, directory: 0, staff: 3 });
    expect(await searchUsers(support, { q: DOMAIN })).toMatchObject({ ok: true, users: [], total: { count: 0, exact: true } });
  });
});
