import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import type { EventEmitter } from "node:events";
import { adminClient, localStack, signIn, uniqueEmail } from "../stack/auth/integration/flows.ts";
import { stackUrls } from "../stack/env.ts";
import { markdownTable, percentile } from "./bench/stats.ts";
import {
  ANCHOR_FILTERS,
  benchUserSearch,
  localTargets,
  removeAfterInterrupt,
  SEARCHES,
  USER_SEARCH_SIZES,
  USER_SEARCH_TARGET_RATIO,
} from "./bench/user-search.ts";
import {
  formatUserSearchSummaryConsole,
  summarizeUserSearch,
  userSearchMarkdown,
  userSearchMissed,
  userSearchTargetRows,
  type UserSearchSummary,
} from "./bench/user-search-report.ts";
import { pageWeight, type PageWeight } from "./page-weight.ts";
import { projectPath } from "./run.ts";

/**
 * `npm run bench`: the cost of the app's session layer, measured side by side in one run against a
 * production build (`next start` on 127.0.0.1:3100 with ENABLE_BENCH_ROUTES=1), and the size of the access
 * token and session cookie after a Google and an Apple sign-in, the first-load JavaScript of /login and
 * /account, and the admin user search at 1,000 and 100,000 users next to the Auth server's own
 * (scripts/bench/user-search.ts: seeded with seed-users' functions and removed again). Writes
 * docs/benchmarks.md.
 *
 * The three variants of /bench/[variant] (lib/bench/variants.ts) run in interleaved rounds, the order
 * rotating each round, so that background noise hits all of them alike. Exits non-zero on errors only; a
 * missed target is reported, not failed.
 *
 * BENCH_SECONDS (per variant, default 20, at most 120 so that the access tokens outlive the run),
 * BENCH_CONNECTIONS (default 8), BENCH_ROUNDS (default 10), BENCH_SEARCH_ROUNDS (user search rounds per
 * size, default 40).
 */

const ROOT = resolve(import.meta.dirname, "..");
const PORT = 3100;
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Math.min(120, Math.max(1, Number(process.env.BENCH_SECONDS ?? 20)));
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_CONNECTIONS ?? 8));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 10));
const SEARCH_ROUNDS = Math.max(1, Number(process.env.BENCH_SEARCH_ROUNDS ?? 40));
const WARMUP_SECONDS = 3;
const SINGLE_SECONDS = 6;
const SINGLE_ROUNDS = 3;
const VARIANTS = ["session", "no-auth", "get-user"] as const;
type Variant = (typeof VARIANTS)[number];
const TARGET_RATIO = 1.1;
const TARGET_TOKEN_BYTES = 1024;
/** First-load JavaScript of /login, gzip. */
const TARGET_LOGIN_GZIP_BYTES = 165_000;
const COMMAND = "npm run bench";

process.env.PATH = projectPath();
process.env.NEXT_TELEMETRY_DISABLED = "1";

class BenchError extends Error {}

// ── processes ────────────────────────────────────────────────────────────────────────────────────────

function capture(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

function inherit(args: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
    child.on("close", (code) => done(code ?? 1));
  });
}

/** Next.js processes of this checkout: a `next build` rewrites .next, a `next start` serves from it. */
function nextProcesses(): { builds: number[]; servers: number[] } {
  const builds: number[] = [];
  const servers: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== ROOT) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const isNext = argv.some((a) => /(^|\/)next$/.test(a));
      if (isNext && argv.includes("build")) builds.push(Number(entry));
      else if (argv[0]?.startsWith("next-server") || (isNext && argv.includes("start"))) servers.push(Number(entry));
    } catch {
      // The process ended, or it is not ours to read.
    }
  }
  return { builds, servers };
}

async function waitFor(what: string, busy: () => number[], timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (let pids = busy(); pids.length > 0; pids = busy()) {
    if (Date.now() > deadline) throw new BenchError(`gave up waiting for ${what} (pid ${pids.join(", ")})`);
    if (!told) console.log(`… waiting for ${what} (pid ${pids.join(", ")}) to finish`);
    told = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** A fresh production build of this checkout: an older .next would measure code that is no longer there. */
async function build(): Promise<void> {
  await waitFor("a `next build` of this checkout", () => nextProcesses().builds);
  // Rebuilding .next under a running `next start` (someone's e2e run) would break it.
  await waitFor("a Next.js server of this checkout that serves .next", () => nextProcesses().servers);
  console.log("› next build (the benchmark measures this checkout)");
  if ((await inherit(["node_modules/next/dist/bin/next", "build"])) !== 0) throw new BenchError("next build failed");
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

type Server = { child: ChildProcess; log: () => string };

async function startServer(): Promise<Server> {
  if (await portInUse(PORT)) throw new BenchError(`port ${PORT} is in use; stop whatever listens there`);
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(PORT), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", ENABLE_BENCH_ROUTES: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that stopping it also stops the server process next start forks.
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (log += c.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new BenchError(`next start exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${BASE}/login`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { child, log: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new BenchError(`next start did not answer on ${BASE} within 60 s:\n${log}`);
}

async function stopServer(server: Server): Promise<void> {
  const pid = server.child.pid;
  if (pid === undefined || server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once("exit", r));
  process.kill(-pid, "SIGTERM");
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

// ── sessions and sizes ───────────────────────────────────────────────────────────────────────────────

type Sizes = {
  provider: "google" | "apple";
  tokenBytes: number;
  kid: string;
  claims: string[];
  cookies: { name: string; bytes: number }[];
  chunked: boolean;
  cookieHeader: string;
  email: string;
  userId: string;
};

async function signInAndMeasure(provider: "google" | "apple"): Promise<Sizes> {
  const email = uniqueEmail(`bench-${provider}`);
  const { jar, session, user } = await signIn(provider, email);
  const token = session.access_token;
  const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>);
  const auth = [...jar].filter(([name]) => /^sb-.*-auth-token(\.\d+)?$/.test(name));
  if (auth.length === 0) throw new BenchError(`${provider} sign-in left no session cookie`);
  return {
    provider,
    tokenBytes: Buffer.byteLength(token),
    kid: String(header?.kid ?? ""),
    claims: Object.keys(payload ?? {}),
    cookies: auth.map(([name, value]) => ({ name, bytes: Buffer.byteLength(`${name}=${value}`) })),
    chunked: auth.some(([name]) => /\.\d+$/.test(name)),
    cookieHeader: auth.map(([name, value]) => `${name}=${value}`).join("; "),
    email,
    userId: user.id,
  };
}

/** Each variant renders what it should before it is timed: a wrong page measured fast is no result. */
async function checkVariants(cookie: string, email: string): Promise<void> {
  const expect: Record<Variant, { cookie: boolean; marker: string }> = {
    session: { cookie: true, marker: email },
    "get-user": { cookie: true, marker: email },
    "no-auth": { cookie: false, marker: "Guest" },
  };
  for (const variant of VARIANTS) {
    const res = await fetch(`${BASE}/bench/${variant}`, {
      redirect: "manual",
      headers: expect[variant].cookie ? { cookie } : {},
    });
    const html = await res.text();
    if (res.status !== 200) throw new BenchError(`/bench/${variant} answered ${res.status} ${res.headers.get("location") ?? ""}`);
    if (!html.includes(expect[variant].marker)) throw new BenchError(`/bench/${variant} did not render ${expect[variant].marker}`);
    if (res.headers.getSetCookie().some((c) => c.startsWith("sb-"))) {
      throw new BenchError(`/bench/${variant} set a session cookie: the session was refreshed, the run would not be comparable`);
    }
  }
}

async function authServerUp(): Promise<boolean> {
  try {
    const res = await fetch(`${stackUrls().authHealth}`, { headers: { apikey: localStack().secrets.publishable_key }, signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

// ── load ─────────────────────────────────────────────────────────────────────────────────────────────

type Instance = EventEmitter;
type AutocannonResult = { errors: number; timeouts: number; non2xx: number };
type Autocannon = (
  opts: { url: string; connections: number; duration: number; headers: Record<string, string> },
  done: (error: Error | null, result: AutocannonResult) => void,
) => Instance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

type Sample = { latencies: number[]; errors: number; non2xx: number; seconds: number; statuses: Record<string, number> };

function load(variant: Variant, seconds: number, cookie: string, into: Sample, connections = CONNECTIONS): Promise<void> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = variant === "no-auth" ? {} : { cookie };
    const instance = autocannon({ url: `${BASE}/bench/${variant}`, connections, duration: seconds, headers }, (error, result) => {
      if (error) return fail(error);
      into.errors += result.errors + result.timeouts;
      into.non2xx += result.non2xx;
      into.seconds += seconds;
      done();
    });
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) into.latencies.push(ms);
      else into.statuses[status] = (into.statuses[status] ?? 0) + 1;
    });
  });
}

type Stats = { variant: Variant; requests: number; rps: number; mean: number; p50: number; p90: number; p99: number; errors: number; non2xx: number; statuses: Record<string, number> };

function stats(variant: Variant, s: Sample): Stats {
  const sorted = [...s.latencies].sort((a, b) => a - b);
  return {
    variant,
    requests: sorted.length,
    rps: sorted.length / s.seconds,
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || Number.NaN),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    errors: s.errors,
    non2xx: s.non2xx,
    statuses: s.statuses,
  };
}

// ── report ───────────────────────────────────────────────────────────────────────────────────────────

const table = markdownTable;

function machine(): Record<string, string> {
  const version = (pkg: string) => (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    if (dirty) commit += " (with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  return {
    Date: new Date().toISOString(),
    Command:
      `\`${COMMAND}\` (${SECONDS} s per variant in ${ROUNDS} interleaved rounds, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up each; then ${SINGLE_SECONDS} s per variant at 1 connection; ` +
      `user search: ${SEARCH_ROUNDS} rounds at each of ${USER_SEARCH_SIZES.map((n) => n.toLocaleString("en")).join(" and ")} users)`,
    "CPUs (nproc)": `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    "Load average at start": loadavg().map((l) => l.toFixed(2)).join(", "),
    Node: process.version,
    Next: version("next"),
    autocannon: version("autocannon"),
    Commit: commit,
  };
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "—");
const ms2 = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : "—");
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

function report(
  results: Stats[],
  serviceTimes: Stats[],
  sizes: Sizes[],
  weights: PageWeight[],
  search: UserSearchSummary,
  facts: Record<string, string>,
): { markdown: string; console: string; missed: string[] } {
  const by = Object.fromEntries(results.map((r) => [r.variant, r])) as Record<Variant, Stats>;
  const ratio = by.session.p50 / by["no-auth"].p50;
  const getUserRatio = by["get-user"].p50 / by["no-auth"].p50;
  const maxToken = Math.max(...sizes.map((s) => s.tokenBytes));
  const anyChunked = sizes.some((s) => s.chunked);
  const loginGzip = weights.find((w) => w.path === "/login")?.gzipBytes ?? Number.NaN;
  const missed = [
    ratio > TARGET_RATIO ? `session / no-auth p50 is ${ratio.toFixed(3)}× (target ≤ ${TARGET_RATIO.toFixed(2)}×)` : "",
    maxToken > TARGET_TOKEN_BYTES ? `an access token is ${maxToken} B (target ≤ ${TARGET_TOKEN_BYTES} B)` : "",
    anyChunked ? "the session cookie is chunked (target: one cookie)" : "",
    loginGzip > TARGET_LOGIN_GZIP_BYTES ? `/login loads ${loginGzip} B of JavaScript, gzip (target ≤ ${TARGET_LOGIN_GZIP_BYTES} B)` : "",
    ...userSearchMissed(search),
  ].filter(Boolean);

  const latency = table(
    ["variant", "what it does per request", "p50", "p90", "p99", "req/s", "requests", "errors"],
    results.map((r) => [
      `\`${r.variant}\``,
      {
        session: "middleware `getClaims()` + `withUser()`: local ES256 check, then one RLS transaction that starts with the session check (`private.assert_session`) and reads what `/account` reads (profile and linked identities)",
        "no-auth": "no session cookie, no guard; the same queries through `withRls` (match no row)",
        "get-user": "middleware `getClaims()` + `supabase.auth.getUser()` (Auth server `GET /user`) + the same queries through `withRls`",
      }[r.variant],
      ms(r.p50),
      ms(r.p90),
      ms(r.p99),
      r.rps.toFixed(0),
      String(r.requests),
      String(r.errors + r.non2xx),
    ]),
  );
  const ratios = table(
    ["ratio (p50)", "value", "target"],
    [
      ["session / no-auth", `${ratio.toFixed(3)}×`, `≤ ${TARGET_RATIO.toFixed(2)}× — ${verdict(ratio <= TARGET_RATIO)}`],
      ["get-user / no-auth", `${getUserRatio.toFixed(2)}×`, "—"],
      ["session / get-user", `${(by.session.p50 / by["get-user"].p50).toFixed(2)}×`, "—"],
    ],
  );
  const single = Object.fromEntries(serviceTimes.map((r) => [r.variant, r])) as Record<Variant, Stats>;
  const serviceTable = table(
    ["variant (1 connection)", "p50", "mean", "p50 − no-auth", "p50 ratio to no-auth"],
    serviceTimes.map((r) => [
      `\`${r.variant}\``,
      ms2(r.p50),
      ms2(r.mean),
      r.variant === "no-auth" ? "—" : `${(r.p50 - single["no-auth"].p50 >= 0 ? "+" : "")}${ms2(r.p50 - single["no-auth"].p50)}`,
      `${(r.p50 / single["no-auth"].p50).toFixed(2)}×`,
    ]),
  );
  const sizeTable = table(
    ["sign-in", "access token", "session cookie (name=value)", "chunked", "claims"],
    sizes.map((s) => [
      s.provider === "google" ? "Google" : "Apple",
      `${s.tokenBytes} B — ${verdict(s.tokenBytes <= TARGET_TOKEN_BYTES)}`,
      s.cookies.map((c) => `\`${c.name}\` ${c.bytes} B`).join(", "),
      s.chunked ? "**yes**" : "no",
      s.claims.join(", "),
    ]),
  );
  const weightTable = table(
    ["page", "scripts", "JavaScript", "gzip (level 9)"],
    weights.map((w) => [`\`${w.path}\``, String(w.scripts), `${w.bytes} B`, `${w.gzipBytes} B`]),
  );
  const factTable = table(["", ""], Object.entries(facts));
  const summary = missed.length === 0 ? "All targets met." : `Targets missed: ${missed.join("; ")}.`;

  const markdown = `# Benchmarks

Written by \`${COMMAND}\` (scripts/bench.ts); do not edit by hand, run it again. ${summary}

## Session layer: p50 latency of one authenticated page

The same page, \`/bench/[variant]\` (a route that exists only when the server runs with
\`ENABLE_BENCH_ROUTES=1\`), rendering the same markup three ways, against a production build (\`next start\`
on 127.0.0.1:${PORT}), measured with autocannon in one run: the variants alternate in ${ROUNDS} rounds whose
order rotates, so that background load hits all three alike. Latencies are of 2xx responses; the session
was created by a real Google sign-in against the local Auth server and sent as the \`@supabase/ssr\` cookie.

${latency}

${ratios}

With ${CONNECTIONS} connections on ${availableParallelism()} CPUs (shared with Postgres, the Auth server and the load
generator) the server is saturated, so the p50 above reflects each variant's CPU cost per request. The
same variants at one connection, without queueing (${SINGLE_SECONDS} s each, after the main run), show the time
each adds to a request:

${serviceTable}

## Access token and session cookie

After a real sign-in through the local Google and Apple emulators, as \`@supabase/ssr\` writes the cookie
(\`encode: "tokens-only"\`, \`base64-\` + base64url JSON). Browsers keep at least 4096 bytes per cookie;
\`@supabase/ssr\` splits a value above 3180 URL-encoded characters into \`.0\`, \`.1\`, … chunks.

${sizeTable}

## Page weight: first-load JavaScript

Every \`<script src>\` in the server-rendered HTML of the page (\`/account\` with the Google session) but the \`nomodule\` polyfills, which module-capable browsers skip, fetched
from the production build and compressed with gzip at level 9; each script counted once.

${weightTable}

${userSearchMarkdown(search, SEARCHES.length, ANCHOR_FILTERS.length)}

## Targets

| target | result |
| --- | --- |
| session / no-auth p50 ≤ ${TARGET_RATIO.toFixed(2)}× | ${ratio.toFixed(3)}× — ${verdict(ratio <= TARGET_RATIO)} |
| access token ≤ ${TARGET_TOKEN_BYTES} B | ${sizes.map((s) => `${s.provider === "google" ? "Google" : "Apple"} ${s.tokenBytes} B`).join(", ")} — ${verdict(maxToken <= TARGET_TOKEN_BYTES)} |
| no cookie chunking | ${anyChunked ? "chunked — **missed**" : "one cookie — met"} |
| \`/login\` first-load JavaScript ≤ ${TARGET_LOGIN_GZIP_BYTES} B gzip | ${loginGzip} B — ${verdict(loginGzip <= TARGET_LOGIN_GZIP_BYTES)} |
${userSearchTargetRows(search)
  .map((row) => `| ${row.join(" | ")} |`)
  .join("\n")}

## Machine

${factTable}

Figures from a shared development machine are comparable within one run, not across machines: read the
ratios, not the milliseconds. The load generator runs on the same CPUs as the server.
`;

  const pad = (s: string, n: number) => s.padEnd(n);
  const consoleLines = [
    "",
    `${pad("variant", 10)} ${pad("p50", 10)} ${pad("p90", 10)} ${pad("p99", 10)} ${pad("req/s", 7)} ${pad("requests", 9)} errors`,
    ...results.map(
      (r) => `${pad(r.variant, 10)} ${pad(ms(r.p50), 10)} ${pad(ms(r.p90), 10)} ${pad(ms(r.p99), 10)} ${pad(r.rps.toFixed(0), 7)} ${pad(String(r.requests), 9)} ${r.errors + r.non2xx}`,
    ),
    "",
    `session / no-auth p50   ${ratio.toFixed(3)}×  (target ≤ ${TARGET_RATIO.toFixed(2)}×: ${ratio <= TARGET_RATIO ? "met" : "MISSED"})`,
    `get-user / no-auth p50  ${getUserRatio.toFixed(2)}×`,
    `session / get-user p50  ${(by.session.p50 / by["get-user"].p50).toFixed(2)}×`,
    "",
    `at 1 connection: ${serviceTimes.map((r) => `${r.variant} p50 ${ms2(r.p50)}`).join(", ")}`,
    "",
    ...sizes.map(
      (s) =>
        `${pad(s.provider, 7)} access token ${s.tokenBytes} B (${s.tokenBytes <= TARGET_TOKEN_BYTES ? "met" : "MISSED"}), cookie ${s.cookies
          .map((c) => `${c.name} ${c.bytes} B`)
          .join(", ")}, ${s.chunked ? "CHUNKED" : "not chunked"}`,
    ),
    "",
    ...weights.map((w) => `${pad(w.path, 9)} first-load JavaScript ${w.gzipBytes} B gzip (${w.bytes} B raw, ${w.scripts} scripts)`),
    "",
    formatUserSearchSummaryConsole(search),
    "",
    missed.length === 0 ? "All targets met." : `Targets missed (reported, not an error): ${missed.join("; ")}`,
  ];
  return { markdown, console: consoleLines.join("\n"), missed };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
  let server: Server | null = null;
  const users: string[] = [];
  /** The user search's pool while it seeds and measures: an interruption must remove its users. */
  let searchPool: ReturnType<typeof localTargets> | null = null;
  /** Set on SIGINT/SIGTERM; ends in process.exit(130). main() waits for it rather than exiting first. */
  let interrupted: Promise<void> | null = null;
  const stop = () => {
    interrupted ??= (async () => {
      if (server?.child.pid) {
        try {
          process.kill(-server.child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      if (searchPool) await removeAfterInterrupt(searchPool.sql);
      process.exit(130);
    })();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const stack = await capture(["stack/cli.ts", "start"]);
    if (stack.code !== 0) throw new BenchError(`the local stack did not start:\n${stack.output}`);
    console.log("✔ local stack running");
    await build();
    const facts = machine();
    server = await startServer();
    console.log(`✔ next start on ${BASE} (ENABLE_BENCH_ROUTES=1)`);

    const sizes = [await signInAndMeasure("google"), await signInAndMeasure("apple")];
    users.push(...sizes.map((s) => s.userId));
    const google = sizes[0] as Sizes;
    await checkVariants(google.cookieHeader, google.email);
    console.log("✔ each variant renders its page");
    const weights = [await pageWeight(BASE, "/login"), await pageWeight(BASE, "/account", { cookie: google.cookieHeader })];
    console.log(`✔ page weight: ${weights.map((w) => `${w.path} ${w.gzipBytes} B gzip`).join(", ")}`);

    const discard: Sample = { latencies: [], errors: 0, non2xx: 0, seconds: 0, statuses: {} };
    for (const variant of VARIANTS) await load(variant, WARMUP_SECONDS, google.cookieHeader, discard);
    console.log(`✔ warmed up; measuring ${SECONDS} s per variant in ${ROUNDS} rounds of ${(SECONDS / ROUNDS).toFixed(1)} s`);

    const samples = Object.fromEntries(VARIANTS.map((v) => [v, { latencies: [], errors: 0, non2xx: 0, seconds: 0, statuses: {} } as Sample])) as Record<Variant, Sample>;
    for (let round = 0; round < ROUNDS; round++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
      for (const variant of order) await load(variant, SECONDS / ROUNDS, google.cookieHeader, samples[variant]);
      process.stdout.write(`  round ${round + 1}/${ROUNDS} (${order.join(", ")})\n`);
    }
    const results = VARIANTS.map((v) => stats(v, samples[v]));

    // Supplementary: one connection, no queueing — the time each variant takes to serve one request.
    const single = Object.fromEntries(VARIANTS.map((v) => [v, { latencies: [], errors: 0, non2xx: 0, seconds: 0, statuses: {} } as Sample])) as Record<Variant, Sample>;
    for (let round = 0; round < SINGLE_ROUNDS; round++) {
      for (const variant of VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant)) {
        await load(variant, SINGLE_SECONDS / SINGLE_ROUNDS, google.cookieHeader, single[variant], 1);
      }
    }
    const serviceTimes = VARIANTS.map((v) => stats(v, single[v]));
    console.log(`✔ measured ${SINGLE_SECONDS} s per variant at 1 connection`);
    await stopServer(server);
    server = null;

    // After the page measurements, without the app server running: the seed does not weigh on them.
    console.log(`› admin user search at ${USER_SEARCH_SIZES.map((n) => n.toLocaleString("en")).join(" and ")} users, next to the Auth server's`);
    searchPool = localTargets();
    let userSearch: UserSearchSummary;
    try {
      userSearch = summarizeUserSearch(await benchUserSearch({ ...searchPool, rounds: SEARCH_ROUNDS }), USER_SEARCH_TARGET_RATIO);
    } finally {
      await searchPool.sql.end({ timeout: 5 });
      searchPool = null;
    }

    const { markdown, console: text } = report(results, serviceTimes, sizes, weights, userSearch, facts);
    console.log(text);
    const failed = [...results, ...serviceTimes].filter((r) => r.errors + r.non2xx > 0 || r.requests === 0);
    if (failed.length === 0) {
      mkdirSync(join(ROOT, "docs"), { recursive: true });
      writeFileSync(join(ROOT, "docs/benchmarks.md"), markdown);
      console.log("\nWrote docs/benchmarks.md");
    } else {
      console.error("\ndocs/benchmarks.md not updated: a run with failed requests is no result.");
    }
    if (failed.length > 0) {
      const statuses = (r: Stats) => Object.entries(r.statuses).map(([code, n]) => `${n} × ${code}`).join(", ");
      console.error(
        `Errors during the run: ${failed.map((r) => `${r.variant}: ${r.errors} connection errors or timeouts, ${r.non2xx} non-2xx (${statuses(r) || "none"})`).join("; ")}`,
      );
      if (!(await authServerUp())) console.error("The Auth server does not answer now: was the local stack stopped or restarted during the run?");
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(`bench: ${error instanceof BenchError ? error.message : (error as Error).stack}`);
    if (server) console.error(`\nnext start output:\n${server.log()}`);
    return 1;
  } finally {
    if (server) await stopServer(server);
    const admin = adminClient();
    for (const id of users) await admin.auth.admin.deleteUser(id).catch(() => undefined);
    if (interrupted) await interrupted;
  }
}

process.exit(await main());
