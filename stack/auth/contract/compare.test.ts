import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  compareJwt,
  compareParallelSummary,
  compareProviderResponse,
  compareResponse,
  compareValue,
  formatDiff,
  parseDerivation,
  type ActualResponse,
  type CompareContext,
  type RecordedResponse,
} from "./compare.ts";
import { fakeJwt, materialize, materializeResponse, type Materializer } from "./fake-server.ts";
import {
  Bindings,
  locationParams,
  normalizeValue,
  parseHtmlForm,
  placeholdersIn,
  toLocal,
  toRecorded,
  type LocalEnv,
} from "./normalize.ts";
import type { Step } from "./replay.ts";

const DIR = join(import.meta.dirname, "transcripts");
const files = readdirSync(DIR).filter((f) => /^\d+-.*\.json$/.test(f)).sort();
const load = (file: string) => JSON.parse(readFileSync(join(DIR, file), "utf8")) as unknown;
const transcripts = files.map((f) => [f, load(f)] as const).filter((e): e is readonly [string, Step[]] => Array.isArray(e[1]));

const env: LocalEnv = {
  authOrigin: "http://127.0.0.1:41001",
  providerOrigins: ["http://127.0.0.1:41002"],
  googleAuthorize: "http://127.0.0.1:41002/google/auth",
  appleAuthorize: "http://127.0.0.1:41002/apple/auth",
};
const secrets = { jwtSecret: "x".repeat(48), anonKey: fakeJwt({ alg: "HS256" }, { role: "anon" }), serviceRoleKey: fakeJwt({ alg: "HS256" }, { role: "service_role" }) };

function newCtx(file = "test.json", step = 0): CompareContext {
  return {
    bindings: new Bindings(),
    env,
    diffs: [],
    file,
    step,
    stepName: "test step",
    normalize: { anonKey: secrets.anonKey, serviceRoleKey: secrets.serviceRoleKey },
  };
}

const fake = (): Materializer => ({ bindings: new Bindings(), env, secrets });
const step = (file: string, index: number) => (transcripts.find(([f]) => f === file)![1][index] as Step);

describe("normalize", () => {
  it("recognizes every placeholder the transcripts use, and nothing else", () => {
    expect(placeholdersIn("a <uuid_12> b <anon_key> <nil> <refresh_token> <x_1>").map((p) => p.text)).toEqual([
      "<uuid_12>",
      "<anon_key>",
    ]);
  });

  it("substitutes the local origins, emulator URLs and their encodings both ways", () => {
    const local =
      "http://127.0.0.1:41002/google/auth?redirect_uri=http%3A%2F%2F127.0.0.1%3A41001%2Fcallback#d=x%253A%2F%2F127.0.0.1%253A41001";
    const recorded = toRecorded(local, env);
    expect(recorded).toBe(
      "http://127.0.0.1:55444/google/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A59999%2Fcallback#d=x%253A%2F%2F127.0.0.1%253A41001",
    );
    expect(toLocal("http://127.0.0.1:59999/callback", env)).toBe("http://127.0.0.1:41001/callback");
    // A longer port is another origin.
    expect(toRecorded("http://127.0.0.1:410011/x", env)).toBe("http://127.0.0.1:410011/x");
  });

  it("normalizes a local answer back to the recorded form with the bindings made while comparing", () => {
    const ctx = newCtx();
    const recorded = step("02-google-signin.json", 4).response as RecordedResponse;
    const actual = materializeResponse(fake(), step("02-google-signin.json", 4));
    compareResponse(ctx, recorded, actual);
    expect(ctx.diffs).toEqual([]);
    expect(normalizeValue(actual.body, { env, bindings: ctx.bindings })).toEqual(recorded.body);
  });

  it("parses the provider's form_post page", () => {
    const html = `<form method=post action="http://x/callback"><input name=code value="abc"><input name=user value='{"a":"&amp;"}'></form>`;
    expect(parseHtmlForm(html)).toEqual({ action: "http://x/callback", method: "post", fields: { code: "abc", user: '{"a":"&"}' } });
  });

  it("reads location parameters like the recorder (an empty value is kept, escapes decoded once)", () => {
    expect(locationParams("http://h/p?a=1&b=#e=x%253A&sb=")).toEqual({ query: { a: "1", b: "" }, fragment: { e: "x%3A", sb: "" } });
  });
});

describe("every recorded answer matches itself once materialized", () => {
  for (const [file, steps] of transcripts) {
    it(file, () => {
      const m = fake();
      const ctx = newCtx(file);
      steps.forEach((s, i) => {
        if (!s.response || !("status" in s.response)) return;
        ctx.step = i;
        ctx.stepName = s.step;
        const actual = materializeResponse(m, s);
        if (s.request?.origin) compareProviderResponse(ctx, s.response as RecordedResponse, actual);
        else compareResponse(ctx, s.response as RecordedResponse, actual, s.jwt);
      });
      expect(ctx.diffs.map(formatDiff)).toEqual([]);
    });
  }
});

describe("differences are detected and located", () => {
  const errorStep = step("05-refresh-rotation.json", 5); // 400 refresh_token_already_used
  const tokenStep = step("02-google-signin.json", 3); // 200 session + jwt record
  const userStep = step("02-google-signin.json", 4);

  const run = (s: Step, mutate: (a: ActualResponse) => void, ctx = newCtx()) => {
    const actual = materializeResponse(fake(), s);
    mutate(actual);
    compareResponse(ctx, s.response as RecordedResponse, actual, s.jwt);
    return ctx.diffs;
  };

  it("a changed error code", () => {
    const diffs = run(errorStep, (a) => {
      (a.body as Record<string, unknown>).code = "refresh_token_not_found";
      a.headers["x-sb-error-code"] = "refresh_token_not_found";
    });
    expect(diffs.map((d) => d.path)).toEqual(["response.headers.x-sb-error-code", "response.body.code"]);
    expect(diffs[1]!.message).toContain('expected "refresh_token_already_used", got "refresh_token_not_found"');
  });

  it("a different status is one difference that shows the local body", () => {
    const diffs = run(errorStep, (a) => {
      a.status = 500;
    });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]!.message).toMatch(/expected status 400, got 500 with body \{"code":"refresh_token_already_used"/);
  });

  it("a missing key and an extra key, at their exact path", () => {
    const diffs = run(tokenStep, (a) => {
      const user = (a.body as any).user;
      delete user.identities[0].identity_id;
      user.identities[0].extra = 1;
    });
    expect(diffs.map((d) => [d.path, d.message.split(" (")[0]])).toEqual([
      ["response.body.user.identities[0].identity_id", "missing key"],
      ["response.body.user.identities[0].extra", "unexpected key"],
    ]);
  });

  it("a header absent from the recording (x-supabase-api-version on success) and a missing one", () => {
    expect(run(userStep, (a) => (a.headers["x-supabase-api-version"] = "2024-01-01")).map((d) => d.path)).toEqual([
      "response.headers.x-supabase-api-version",
    ]);
    expect(run(errorStep, (a) => delete a.headers["x-supabase-api-version"]).map((d) => d.message)).toEqual([
      'missing header x-supabase-api-version (expected "2024-01-01")',
    ]);
    expect(run(userStep, (a) => (a.headers["content-type"] = "application/json; charset=utf-8")).map((d) => d.path)).toEqual([
      "response.headers.content-type",
    ]);
  });

  it("an inconsistent placeholder: another user id where the same one was recorded", () => {
    const ctx = newCtx();
    const m = fake();
    compareResponse(ctx, tokenStep.response as RecordedResponse, materializeResponse(m, tokenStep), tokenStep.jwt);
    expect(ctx.diffs).toEqual([]);
    const actual = materializeResponse(m, userStep);
    (actual.body as any).id = "11111111-2222-4333-8444-555555555555";
    compareResponse(ctx, userStep.response as RecordedResponse, actual);
    expect(ctx.diffs.map((d) => d.path)).toEqual(["response.body.id"]);
    expect(ctx.diffs[0]!.message).toMatch(/<uuid_1> was ".*" earlier, now "11111111-/);
  });

  it("two placeholders given one value (a refresh token returned where a new one was recorded)", () => {
    const ctx = newCtx();
    compareValue(ctx, "body", { a: "<refresh_token_1>", b: "<refresh_token_2>" }, { a: "abcdefghijkl", b: "abcdefghijkl" });
    expect(ctx.diffs.map((d) => d.message)).toEqual(['expected a new value for <refresh_token_2>, got the value of <refresh_token_1> ("abcdefghijkl")']);
  });

  it("values of the wrong kind or type", () => {
    const ctx = newCtx();
    compareValue(ctx, "b", { t: "<time>", i: "<int>", u: "<uuid_1>", r: "<refresh_token_1>", n: null, z: false }, { t: "yesterday", i: "1", u: "x", r: "ABC", n: {}, z: 0 });
    expect(ctx.diffs.map((d) => d.path)).toEqual(["b.t", "b.i", "b.u", "b.r", "b.n", "b.z"]);
  });

  it("where-it-runs values are compared by type and presence only", () => {
    const ctx = newCtx();
    compareValue(
      ctx,
      "user",
      { user_metadata: { iss: "https://accounts.google.com", picture: "https://example.com/a.png", sub: "google-1" }, identities: [{ identity_id: "<uuid_1>", id: "google-1", identity_data: { sub: "google-1" } }] },
      { user_metadata: { iss: "http://127.0.0.1:41002/google", picture: "http://x/p.png", sub: "g-9" }, identities: [{ identity_id: "8a6e0804-2bd0-4672-b79d-d97027e1b6df", id: "g-9", identity_data: { sub: "g-9" } }] },
    );
    expect(ctx.diffs).toEqual([]);
    // …but presence matters, and one provider subject must stay one subject.
    compareValue(ctx, "again", { user_metadata: { sub: "google-1", picture: "p" } }, { user_metadata: { sub: "g-8" } });
    expect(ctx.diffs.map((d) => d.path)).toEqual(["again.user_metadata.picture", "again.user_metadata.sub"]);
  });

  it("expires_in may be 599 or 600, nothing else", () => {
    for (const [value, count] of [[600, 0], [599, 0], [3600, 1]] as const) {
      const ctx = newCtx();
      compareValue(ctx, "b", { access_token: "<jwt_1>", expires_in: "<int>" }, { access_token: "a.b.c", expires_in: value });
      expect(ctx.diffs).toHaveLength(count);
    }
  });

  it("the implicit flow's Location: times read as numbers, the token checked in the fragment", () => {
    const implicitStep = step("21-implicit-flow.json", 2);
    const mutateLocation = (from: RegExp, to: string) => (a: ActualResponse) => {
      a.headers.location = a.headers.location!.replace(from, to);
    };
    expect(run(implicitStep, () => {})).toEqual([]);
    expect(run(implicitStep, mutateLocation(/expires_in=600/, "expires_in=3600")).map((d) => d.path)).toContain(
      "response.location_params.fragment.expires_in",
    );
    expect(run(implicitStep, mutateLocation(/expires_at=\d+/, "expires_at=soon")).map((d) => d.path)).toContain(
      "response.location_params.fragment.expires_at",
    );
    expect(run(implicitStep, mutateLocation(/&sb=/, "")).map((d) => d.path)).toContain("response.location_params.fragment.sb");
    expect(run(implicitStep, mutateLocation(/access_token=[^&]+/, "access_token=opaque")).map((d) => d.path)).toContain(
      "jwt (response.location_params.fragment.access_token)",
    );
  });

  it("amr: entries of the same second in any order, otherwise most recent first", () => {
    const expected = { amr: [{ method: "totp", timestamp: "<int>" }, { method: "oauth", timestamp: "<int>" }] };
    const ok = newCtx();
    compareValue(ok, "c", expected, { amr: [{ method: "oauth", timestamp: 100 }, { method: "totp", timestamp: 100 }] });
    expect(ok.diffs).toEqual([]);
    const bad = newCtx();
    compareValue(bad, "c", expected, { amr: [{ method: "oauth", timestamp: 101 }, { method: "totp", timestamp: 100 }] });
    expect(bad.diffs.map((d) => d.path)).toEqual(["c.amr[0].method", "c.amr[1].method"]);
  });

  it("JWT header and claims, exp - iat, and the array aud of a first token after start", () => {
    const record = tokenStep.jwt!;
    const m = fake();
    const claims = materialize(m, record.claims) as Record<string, any>;
    claims.exp = claims.iat + 600;
    const ctx = newCtx();
    compareJwt(ctx, "jwt", record, fakeJwt({ alg: "ES256", kid: "local-kid", typ: "JWT" }, claims));
    expect(ctx.diffs).toEqual([]);
    const bad = newCtx();
    compareJwt(bad, "jwt", record, fakeJwt({ alg: "HS256", typ: "JWT" }, { ...claims, aud: ["authenticated"], exp: claims.iat + 3600 }));
    expect(bad.diffs.map((d) => d.path).sort()).toEqual(["jwt.claims.aud", "jwt.exp_minus_iat", "jwt.header.alg", "jwt.header.kid"]);
  });

  it("the summary of parallel refreshes", () => {
    const ctx = newCtx();
    compareParallelSummary(ctx, { statuses: [200, 200, 200], distinct_refresh_tokens_returned: 1 }, { statuses: [200, 400, 200], distinct_refresh_tokens_returned: 2 });
    expect(ctx.diffs.map((d) => d.path)).toEqual(["response.statuses", "response.distinct_refresh_tokens_returned"]);
  });

  it("a readable line per difference", () => {
    const diffs = run(errorStep, (a) => ((a.body as Record<string, unknown>).message = "nope"));
    expect(formatDiff(diffs[0]!)).toBe(
      'test.json step 0 "test step" response.body.message: expected "Invalid Refresh Token: Already Used", got "nope"',
    );
  });
});

describe("derived values (soft delete, 18)", () => {
  const ctxFor = (): CompareContext => ({ bindings: new Bindings(), env, diffs: [], file: "t", step: 0, stepName: "s" });
  const digest = (s: string) => createHash("sha256").update(s).digest("base64url");
  const userId = "0f3c8f5e-7b1a-4d2e-9c4b-5a6d7e8f9a0b";

  it("parses the recording's derivations", () => {
    expect(parseDerivation('<base64url(sha256(user id + "google:" + provider id))>')).toEqual({
      terms: [{ variable: "user id" }, { literal: "google:" }, { variable: "provider id" }],
    });
    expect(parseDerivation('<base64url(sha256(user id + "")), first 15 characters>')).toEqual({
      terms: [{ variable: "user id" }, { literal: "" }],
      length: 15,
    });
    expect(parseDerivation("<uuid_1>")).toBeNull();
    expect(parseDerivation("<base64url(sha256(user name))>")).toBeNull();
  });

  it("accepts the value computed from the enclosing user and a remembered email, and nothing else", () => {
    const ctx = ctxFor();
    compareValue(ctx, "before", { id: "<uuid_1>", aud: "authenticated", email: "gone@example.com" }, { id: userId, aud: "authenticated", email: "gone@example.com" });
    const expected = {
      id: "<uuid_1>",
      aud: "authenticated",
      email: "<base64url(sha256(user id + email))>",
      phone: '<base64url(sha256(user id + "")), first 15 characters>',
    };
    compareValue(ctx, "after", expected, { id: userId, aud: "authenticated", email: digest(userId + "gone@example.com"), phone: digest(userId).slice(0, 15) });
    expect(ctx.diffs).toEqual([]);
    compareValue(ctx, "wrong", expected, { id: userId, aud: "authenticated", email: digest("gone@example.com" + userId), phone: digest(userId).slice(0, 14) });
    expect(ctx.diffs.map((d) => d.path)).toEqual(["wrong.email", "wrong.phone"]);
  });

  it("an identity's digest uses its user_id and a bound provider subject", () => {
    const ctx = ctxFor();
    ctx.bindings.bind("subject:google-recorded", "google-local");
    const identity = { identity_id: "<uuid_2>", user_id: "<uuid_1>", id: '<base64url(sha256(user id + "google:" + provider id))>' };
    compareValue(ctx, "i", identity, { identity_id: userId.replace("0f", "1f"), user_id: userId, id: digest(`${userId}google:google-local`) });
    expect(ctx.diffs).toEqual([]);
    compareValue(ctx, "j", identity, { identity_id: userId.replace("0f", "1f"), user_id: userId, id: digest(`${userId}google:google-recorded`) });
    expect(ctx.diffs.map((d) => d.path)).toEqual(["j.id"]);
  });

  it("the fake server computes them the same way", () => {
    const m: Materializer = { bindings: new Bindings(), env, secrets };
    materialize(m, { email: "gone@example.com" });
    const out = materialize(m, { id: "<uuid_1>", aud: "authenticated", email: "<base64url(sha256(user id + email))>" }) as Record<string, string>;
    expect(out.email).toBe(digest(`${out.id}gone@example.com`));
  });
});
