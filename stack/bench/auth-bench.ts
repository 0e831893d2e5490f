import { Agent, request } from "node:http";
import { signIn, uniqueEmail, localStack } from "../auth/integration/flows.ts";

/**
 * `npm run bench:auth`: the local Auth server under load, measured the way the recorded figures of the
 * real server were — 16 signed-in users, 8 concurrent workers, 6 s per scenario — for `GET /user` and a
 * refresh-token rotation; plus the access token's size. Needs the running stack.
 */
const USERS = 16;
const WORKERS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);

const { urls, secrets } = localStack();
const target = new URL(urls.authBase);
const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });

function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, method, path: `${target.pathname}${path}`, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    if (body) req.end(body);
    else req.end();
  });
}

type Result = { name: string; requests: number; errors: number; rps: number; p50: number; p99: number };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function scenario(name: string, step: (user: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      let i = 0;
      while (performance.now() < deadline) {
        const user = (w + WORKERS * (i++ % (USERS / WORKERS))) % USERS;
        const t0 = performance.now();
        const ok = await step(user);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    rps: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

console.log(`Signing in ${USERS} users…`);
const sessions = await Promise.all(
  Array.from({ length: USERS }, (_, i) => signIn(i % 2 ? "apple" : "google", uniqueEmail(`bench${i}`))),
);
const access = sessions.map((s) => s.session.access_token);
const refresh = sessions.map((s) => s.session.refresh_token);

const base = { apikey: secrets.anon_key, "x-supabase-api-version": "2024-01-01" };

const getUser = await scenario("GET /user", async (u) => {
  const res = await call("GET", "/user", { ...base, authorization: `Bearer ${access[u]}` });
  return res.status === 200;
});

const refreshResult = await scenario("refresh (rotation)", async (u) => {
  const body = JSON.stringify({ refresh_token: refresh[u] });
  const res = await call("POST", "/token?grant_type=refresh_token", {
    ...base,
    authorization: `Bearer ${secrets.anon_key}`,
    "content-type": "application/json;charset=UTF-8",
    "content-length": String(Buffer.byteLength(body)),
  }, body);
  if (res.status !== 200) return false;
  const parsed = JSON.parse(res.text) as { refresh_token: string; access_token: string };
  refresh[u] = parsed.refresh_token;
  access[u] = parsed.access_token;
  return true;
});

const tokenBytes = (p: "google" | "apple") => {
  const i = sessions.findIndex((_, idx) => (idx % 2 ? "apple" : "google") === p);
  return Buffer.byteLength(access[i] ?? "");
};

console.log(`\nLocal Auth server, ${USERS} users, ${WORKERS} workers, ${SECONDS} s each:`);
for (const r of [getUser, refreshResult]) {
  console.log(
    `  ${r.name.padEnd(20)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   (${r.requests} requests, ${r.errors} errors)`,
  );
}
console.log(`  access token size   Google ${tokenBytes("google")} B, Apple ${tokenBytes("apple")} B`);
agent.destroy();
process.exit(getUser.errors + refreshResult.errors > 0 ? 1 : 0);
