import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiff } from "./compare.ts";
import { fakeJwt, fakeServer } from "./fake-server.ts";
import type { LocalEnv } from "./normalize.ts";
import {
  FileReplay,
  providerOf,
  totpCode,
  waitBefore,
  wrongTotpCode,
  type HttpRequest,
  type Step,
  type Transport,
} from "./replay.ts";

const DIR = join(import.meta.dirname, "transcripts");
const files = readdirSync(DIR).filter((f) => /^\d+-.*\.json$/.test(f)).sort();
const transcripts = files
  .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), "utf8"))] as const)
  .filter((e): e is readonly [string, Step[]] => Array.isArray(e[1]));

const env: LocalEnv = {
  authOrigin: "http://127.0.0.1:42001",
  providerOrigins: ["http://127.0.0.1:42002"],
  googleAuthorize: "http://127.0.0.1:42002/google/auth",
  appleAuthorize: "http://127.0.0.1:42002/apple/auth",
};
const secrets = {
  jwtSecret: "s".repeat(48),
  anonKey: fakeJwt({ alg: "HS256", typ: "JWT" }, { iss: "supabase-demo", role: "anon", exp: 1983812996 }),
  serviceRoleKey: fakeJwt({ alg: "HS256", typ: "JWT" }, { iss: "supabase-demo", role: "service_role", exp: 1983812996 }),
};

describe("step names", () => {
  const names = (transcripts.find(([f]) => f.startsWith("05"))?.[1] ?? []).map((s) => s.step);
  it("imply the waits of 05, and only those", () => {
    const waits = names.map((n) => [n, waitBefore(n)]).filter(([, ms]) => ms !== 0);
    expect(waits).toEqual([
      ["reuse RT1 again after 3 s (outside the reuse interval; RT1 is still the parent of the active token)", 3000],
      ["second session: refresh RT' → RT'' (3 s later)", 3000],
      ["second session: newest refresh token 3 s after the reuse was detected", 3000],
    ]);
  });

  it("name the provider of unrecorded sign-ins", () => {
    expect(providerOf({ step: "Apple sign-in with the same email: token exchange" })).toBe("apple");
    expect(providerOf({ step: "sign in again with Google: token exchange" })).toBe("google");
    expect(
      providerOf({ step: "an ordinary user signs in", response: { status: 200, body: { user: { app_metadata: { provider: "apple" } } } } }),
    ).toBe("apple");
  });
});

describe("TOTP codes", () => {
  it("computes the authenticator's code and a code that is wrong in every nearby window", () => {
    const secret = "JBSWY3DPEHPK3PXP";
    const t = 1_700_000_000_000;
    expect(totpCode(secret, t)).toMatch(/^\d{6}$/);
    const wrong = wrongTotpCode(secret, t);
    for (const d of [-30_000, 0, 30_000]) expect(wrong).not.toBe(totpCode(secret, t + d));
  });
});

/** Every request the harness sends, for assertions. */
function recording(transport: Transport) {
  const sent: (HttpRequest & { recorded: boolean; step: number })[] = [];
  const wrapped: Transport = async (req, meta) => {
    sent.push({ ...req, recorded: meta?.recorded ?? false, step: meta?.step ?? -1 });
    return transport(req, meta);
  };
  return { sent, wrapped };
}

describe("replaying every transcript against a fake of the recorded server", () => {
  for (const [file, steps] of transcripts) {
    it(`${file}: values substituted consistently, unrecorded steps performed, no difference`, async () => {
      const fake = fakeServer(steps, env, secrets);
      const { sent, wrapped } = recording(fake.transport);
      const slept: number[] = [];
      const result = await new FileReplay(file, steps, {
        env,
        secrets,
        transport: wrapped,
        sleep: async (ms) => void slept.push(ms),
      }).run();
      expect(result.diffs.map(formatDiff)).toEqual([]);
      expect(fake.diffs.map(formatDiff)).toEqual([]);
      // Every recorded request was sent, once (five times for the parallel refreshes).
      const recordedSteps = steps.flatMap((s, i) => (s.request ? [i] : []));
      const parallel = steps.findIndex((s) => s.response && "statuses" in s.response);
      const expected = recordedSteps.flatMap((i) => (i === parallel ? Array(5).fill(i) : [i]));
      expect(sent.filter((r) => r.recorded).map((r) => r.step)).toEqual(expected);
      if (file.startsWith("05")) expect(slept).toEqual([3000, 3000, 3000]);
    });
  }
});

describe("placeholder logic on hand-written sequences", () => {
  const steps: Step[] = [
    {
      step: "authorize",
      request: { method: "GET", path: "/authorize", query: { provider: "google", code_challenge: "<code_challenge_1>", code_challenge_method: "s256" }, headers: {}, body: null },
      response: { status: 302, headers: { location: "http://127.0.0.1:55444/google/authorize?state=<state_1>" }, body: null },
    },
    {
      step: "provider emulator: consent page",
      request: { method: "GET", path: "/google/authorize", origin: "http://127.0.0.1:55444", query: { state: "<state_1>", login_hint: "x@example.com" }, headers: {}, body: null },
      response: { status: 302, headers: { location: "http://127.0.0.1:59999/callback?code=<provider_code_1>&state=<state_1>" }, location_params: { query: { code: "<provider_code_1>", state: "<state_1>" }, fragment: {} }, body: null },
    },
    {
      step: "callback",
      request: { method: "GET", path: "/callback", query: { code: "<provider_code_1>", state: "<state_1>" }, headers: {}, body: null },
      response: { status: 302, headers: { location: "http://localhost:3000/auth/callback?code=<code_1>" }, body: null },
    },
    {
      step: "token exchange with a wrong code_verifier",
      request: { method: "POST", path: "/token", query: { grant_type: "pkce" }, headers: { "content-type": "application/json;charset=UTF-8" }, body: { auth_code: "<code_1>", code_verifier: "<code_verifier_1>" } },
      response: { status: 400, headers: {}, body: null },
    },
    {
      step: "token exchange",
      request: { method: "POST", path: "/token", query: { grant_type: "pkce" }, headers: { "content-type": "application/json;charset=UTF-8" }, body: { auth_code: "<code_1>", code_verifier: "<code_verifier_2>" } },
      response: { status: 200, headers: { "content-type": "application/json" }, body: { refresh_token: "<refresh_token_1>" } },
    },
    {
      step: "unknown id",
      request: { method: "GET", path: "/admin/users/<uuid_1>", query: {}, headers: { authorization: "Bearer <service_role_key>" }, body: null },
      response: { status: 404, headers: {}, body: null },
    },
    {
      step: "refresh",
      request: { method: "POST", path: "/token", query: { grant_type: "refresh_token" }, headers: {}, body: { refresh_token: "<refresh_token_1>" } },
      response: { status: 200, headers: { "content-type": "application/json" }, body: { refresh_token: "<refresh_token_1>" } },
    },
  ];

  it("uses the values answers produced, the flow's PKCE verifier, and fresh values for new placeholders", async () => {
    const fake = fakeServer(steps, env, secrets);
    const { sent, wrapped } = recording(fake.transport);
    const result = await new FileReplay("hand.json", steps, { env, secrets, transport: wrapped }).run();
    expect(result.diffs.map(formatDiff)).toEqual([]);
    const b = fake.bindings;
    const recorded = sent.filter((r) => r.recorded);
    const authorize = new URL(recorded[0]!.url);
    const challenge = authorize.searchParams.get("code_challenge")!;
    expect(challenge).toBe(b.get("<code_challenge_1>"));
    // The consent URL is the one the authorize answer pointed to, plus login_hint.
    expect(recorded[1]!.url).toBe(`http://127.0.0.1:42002/google/auth?state=${b.get("<state_1>")}&login_hint=x%40example.com`);
    const wrongVerifier = JSON.parse(recorded[3]!.body!).code_verifier as string;
    const rightVerifier = JSON.parse(recorded[4]!.body!).code_verifier as string;
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(rightVerifier).digest("base64url")).toBe(challenge);
    expect(wrongVerifier).not.toBe(rightVerifier);
    expect(recorded[5]!.url).toMatch(/\/admin\/users\/[0-9a-f-]{36}$/);
    expect(recorded[5]!.headers.authorization).toBe(`Bearer ${secrets.serviceRoleKey}`);
    expect(JSON.parse(recorded[6]!.body!).refresh_token).toBe(b.get("<refresh_token_1>"));
  });

  it("reports, and does not send, a step whose values an earlier failing step should have produced", async () => {
    const failing: Transport = async (req, meta) =>
      meta?.recorded && meta.step === 4 ? { status: 500, headers: {}, text: "" } : fakeServer(steps, env, secrets).transport(req, meta);
    const fake = fakeServer(steps, env, secrets);
    const transport: Transport = (req, meta) => (meta?.recorded && meta.step === 4 ? failing(req, meta) : fake.transport(req, meta));
    const { sent, wrapped } = recording(transport);
    const result = await new FileReplay("hand.json", steps, { env, secrets, transport: wrapped }).run();
    expect(result.diffs.map((d) => [d.step, d.path])).toEqual([
      [4, "response.status"],
      [6, "(harness)"],
    ]);
    expect(result.diffs[1]!.message).toContain("<refresh_token_1> should have come from an earlier answer");
    expect(sent.some((r) => r.recorded && r.step === 6)).toBe(false);
  });
});
