import { formatMs, formatRatio, markdownTable, ratio, withinTarget } from "./stats.ts";
import type { UserSearchBench, UserSearchMeasurement } from "./user-search.ts";

type Seed = { users: number; seconds: number };

/** The user search's part of docs/benchmarks.md and of the console summary. Pure: data in, text out. */

export type UserSearchSummary = {
  small: UserSearchMeasurement;
  large: UserSearchMeasurement;
  target: number;
  /** large / small, for the app's search and for the anchor. */
  search: { p50: number; p95: number };
  anchor: { p50: number; p95: number };
  met: { p50: boolean; p95: boolean };
  /** The seed that brought the directory from the small size to the large one, if there was one. */
  largeSeed: Seed | null;
  seeds: Seed[];
  uncompacted: string[];
};

/** The ratios of the last measurement to the first; a bench with fewer than two measurements is an error. */
export function summarizeUserSearch(bench: UserSearchBench, target: number): UserSearchSummary {
  const small = bench.measurements[0];
  const large = bench.measurements.at(-1);
  if (!small || !large || bench.measurements.length < 2) throw new Error("the user search needs measurements at two sizes");
  const search = { p50: ratio(large.search.p50, small.search.p50), p95: ratio(large.search.p95, small.search.p95) };
  return {
    small,
    large,
    target,
    search,
    anchor: { p50: ratio(large.anchor.p50, small.anchor.p50), p95: ratio(large.anchor.p95, small.anchor.p95) },
    met: { p50: withinTarget(search.p50, target), p95: withinTarget(search.p95, target) },
    largeSeed: bench.seeds.find((seed) => seed.toSize === large.size) ?? null,
    seeds: bench.seeds,
    uncompacted: bench.uncompacted,
  };
}

const n = (v: number) => v.toLocaleString("en");
const seconds = (s: number) => `${s.toFixed(1)} s`;
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

/** `99,000 users in 31.4 s (3,153 users/s)`. */
export function formatSeed(seed: Seed): string {
  const rate = seed.seconds > 0 ? ` (${n(Math.round(seed.users / seed.seconds))} users/s)` : "";
  return `${n(seed.users)} users in ${seconds(seed.seconds)}${rate}`;
}

/** One line per missed target, for the bench's summary. */
export function userSearchMissed(s: UserSearchSummary): string[] {
  const sizes = `${n(s.large.users)} / ${n(s.small.users)} users`;
  return [
    s.met.p50 ? "" : `user search p50 at ${sizes} is ${formatRatio(s.search.p50)} (target ≤ ${formatRatio(s.target)})`,
    s.met.p95 ? "" : `user search p95 at ${sizes} is ${formatRatio(s.search.p95)} (target ≤ ${formatRatio(s.target)})`,
  ].filter(Boolean);
}

/** Rows of the Targets table: target, result. */
export function userSearchTargetRows(s: UserSearchSummary): string[][] {
  const label = (p: string) => `user search ${p}, ${n(s.large.users)} / ${n(s.small.users)} users ≤ ${formatRatio(s.target)}`;
  return [
    [label("p50"), `${formatRatio(s.search.p50)} — ${verdict(s.met.p50)}`],
    [label("p95"), `${formatRatio(s.search.p95)} — ${verdict(s.met.p95)}`],
  ];
}

/** The `## Admin user search` section. */
export function userSearchMarkdown(s: UserSearchSummary, searches: number, anchors: number): string {
  const { small, large } = s;
  const latencyTable = markdownTable(
    ["", `p50, ${n(small.users)} users`, `p95, ${n(small.users)} users`, `p50, ${n(large.users)} users`, `p95, ${n(large.users)} users`, "p50 ratio", "p95 ratio"],
    [
      [
        "app: `private.search_users_page()`",
        formatMs(small.search.p50),
        formatMs(small.search.p95),
        formatMs(large.search.p50),
        formatMs(large.search.p95),
        `${formatRatio(s.search.p50)} — ${verdict(s.met.p50)}`,
        `${formatRatio(s.search.p95)} — ${verdict(s.met.p95)}`,
      ],
      [
        "anchor: Auth `GET /admin/users?filter=`",
        formatMs(small.anchor.p50),
        formatMs(small.anchor.p95),
        formatMs(large.anchor.p50),
        formatMs(large.anchor.p95),
        formatRatio(s.anchor.p50),
        formatRatio(s.anchor.p95),
      ],
    ],
  );
  const breakdown = markdownTable(
    ["search (p50)", n(small.users), n(large.users), "ratio"],
    [
      ...small.perSearch.map((row, i) => {
        const big = large.perSearch[i]?.p50 ?? Number.NaN;
        return [row.label, formatMs(row.p50), formatMs(big), formatRatio(ratio(big, row.p50))];
      }),
      ...small.perAnchor.map((row, i) => {
        const big = large.perAnchor[i]?.p50 ?? Number.NaN;
        return [`anchor, \`filter=${row.filter}\``, formatMs(row.p50), formatMs(big), formatRatio(ratio(big, row.p50))];
      }),
    ],
  );
  const seedLine = s.largeSeed
    ? `Seed time, from ${n(small.users)} to ${n(large.users)} users in the directory: ${formatSeed(s.largeSeed)}` +
      (s.seeds.length > 1 ? `; all seeding in the run: ${formatSeed(total(s.seeds))}.` : ".")
    : `No users were seeded for the ${n(large.users)}-user measurement.`;
  const uncompacted = s.uncompacted.length
    ? `\n\nAfter the run, these tables were in use and were not compacted: ${s.uncompacted.map((t) => `\`${t}\``).join(", ")} ` +
      "(`npm run seed:users -- --remove --tag bench` compacts them)."
    : "";
  return `## Admin user search: ${n(small.users)} and ${n(large.users)} users

The directory is filled with \`npm run seed:users\`'s users (emails @bench.seed.test; each seed ends with
\`vacuum (analyze)\`, as a bulk load should) until it holds ${n(small.users)} users, measured, then filled up to
${n(large.users)} and measured again; the seeded users are
removed and the tables compacted at the end. Each sample is one page of the app's search as
\`lib/admin/search-users.ts\` runs it: one RLS transaction as a support member, \`private.search_users_page()\`
(25 + 1 rows, and the total, counted unless the first page held every match); ${searches} different
searches. The anchor is the Auth server's own \`GET /auth/v1/admin/users?filter=\` (${anchors} filters), the
search Supabase Studio's users page uses. App and anchor calls are interleaved in ${large.rounds} rounds whose order
rotates, after a warm-up, at each size: ${n(large.search.samples)} app searches and ${n(large.anchor.samples)} anchor
calls per size.

${latencyTable}

${breakdown}

${seedLine}${uncompacted}`;
}

function total(seeds: readonly Seed[]): Seed {
  return seeds.reduce((a, b) => ({ users: a.users + b.users, seconds: a.seconds + b.seconds }), { users: 0, seconds: 0 });
}

/** The console lines of a measurement at one size. */
export function formatMeasurementConsole(m: UserSearchMeasurement): string {
  return [
    `users in the directory: ${n(m.users)}; ${m.search.samples} searches, ${m.anchor.samples} anchor calls (${m.rounds} rounds)`,
    `search_users_page: p50 ${formatMs(m.search.p50)}, p95 ${formatMs(m.search.p95)}`,
    ...m.perSearch.map((r) => `  ${r.label.padEnd(48)} p50 ${formatMs(r.p50).padStart(10)}`),
    `anchor GET /auth/v1/admin/users?filter=: p50 ${formatMs(m.anchor.p50)}, p95 ${formatMs(m.anchor.p95)}`,
    ...m.perAnchor.map((r) => `  ${`filter=${r.filter}`.padEnd(48)} p50 ${formatMs(r.p50).padStart(10)}`),
  ].join("\n");
}

/** The console summary of the two sizes. */
export function formatUserSearchSummaryConsole(s: UserSearchSummary): string {
  const sizes = `${n(s.large.users)} / ${n(s.small.users)}`;
  const mark = (ok: boolean) => (ok ? "met" : "MISSED");
  return [
    `user search     ${n(s.small.users).padStart(7)} users: p50 ${formatMs(s.small.search.p50)}, p95 ${formatMs(s.small.search.p95)}`,
    `user search     ${n(s.large.users).padStart(7)} users: p50 ${formatMs(s.large.search.p50)}, p95 ${formatMs(s.large.search.p95)}`,
    `user search ${sizes}: p50 ${formatRatio(s.search.p50)} (target ≤ ${formatRatio(s.target)}: ${mark(s.met.p50)}), ` +
      `p95 ${formatRatio(s.search.p95)} (${mark(s.met.p95)})`,
    `anchor      ${sizes}: p50 ${formatRatio(s.anchor.p50)} (${formatMs(s.small.anchor.p50)} → ${formatMs(s.large.anchor.p50)}), ` +
      `p95 ${formatRatio(s.anchor.p95)} (${formatMs(s.small.anchor.p95)} → ${formatMs(s.large.anchor.p95)})`,
    s.largeSeed ? `seed ${n(s.small.users)} → ${n(s.large.users)} users: ${formatSeed(s.largeSeed)}; all seeding: ${formatSeed(total(s.seeds))}` : "no users seeded",
    ...(s.uncompacted.length ? [`not compacted (in use): ${s.uncompacted.join(", ")}`] : []),
  ].join("\n");
}

/** Each measurement, then the summary. */
export function formatUserSearchConsole(bench: UserSearchBench, target: number): string {
  return [...bench.measurements.map(formatMeasurementConsole), formatUserSearchSummaryConsole(summarizeUserSearch(bench, target))].join("\n\n");
}
