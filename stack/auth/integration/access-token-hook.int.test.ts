import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startContractStack, type ContractStack } from "../contract/harness.ts";
import { FileReplay } from "../contract/replay.ts";

/**
 * The custom access token hook as a real PostgreSQL function called by the real Auth server. The server runs
 * in an environment of its own (the contract harness with its own database), because these tests replace the
 * hook function's body; each test puts the recording's hook back.
 */

const HOOK_URI = "pg-functions://postgres/public/custom_access_token_hook";

type Answer = { status: number; errorCode: string | null; body: Record<string, unknown> };

let stack: ContractStack;
let sql: postgres.Sql;

beforeAll(async () => {
  stack = await startContractStack({ database: "auth_hook_int" });
  sql = postgres(stack.superuserUrl, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await stack?.stop();
});

function apiHeaders(version: string | null = "2024-01-01"): Record<string, string> {
  return {
    apikey: stack.secrets.anonKey,
    authorization: `Bearer ${stack.secrets.anonKey}`,
    "content-type": "application/json;charset=UTF-8",
    ...(version ? { "x-supabase-api-version": version } : {}),
  };
}

async function post(path: string, body: unknown, version?: string | null): Promise<Answer> {
  const res = await fetch(`${stack.env.authOrigin}${path}`, { method: "POST", headers: apiHeaders(version), body: JSON.stringify(body) });
  return { status: res.status, errorCode: res.headers.get("x-sb-error-code"), body: (await res.json()) as Record<string, unknown> };
}

const refresh = (refreshToken: string, version?: string | null) =>
  post("/token?grant_type=refresh_token", { refresh_token: refreshToken }, version);

/** A signed-in user (recording's hook): the PKCE code is exchanged only when `exchange` is true. */
async function signIn(email: string, exchange = true) {
  const flow = await new FileReplay("hook-int", [], { env: stack.env, secrets: stack.secrets }).signIn("google", email);
  if (!exchange) return { flow, tokens: null };
  const tokens = await post("/token?grant_type=pkce", { auth_code: flow.code, code_verifier: flow.verifier });
  expect(tokens.status).toBe(200);
  return { flow, tokens: tokens.body as { refresh_token: string; access_token: string; expires_at: number } };
}

async function withHookBody<T>(body: string, run: () => Promise<T>): Promise<T> {
  await stack.installHookBody(body);
  try {
    return await run();
  } finally {
    await stack.installHookBody(null);
  }
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

const schemaMessage = (...lines: string[]) =>
  `output claims do not conform to the expected schema: \n${lines.map((l) => `- ${l}\n`).join("")}`;

describe("custom access token hook failures, end to end", () => {
  it("a function that raises: 500 unexpected_failure with x-sb-error-code, and the refresh token stays usable", async () => {
    const { tokens } = await signIn("hook-int-raise@example.com");
    const failed = await withHookBody("begin raise exception 'not today' using errcode = 'P0001'; end", () =>
      refresh(tokens!.refresh_token),
    );
    expect(failed).toEqual({
      status: 500,
      errorCode: "unexpected_failure",
      body: { code: "unexpected_failure", message: `Error running hook URI: ${HOOK_URI}` },
    });
    const again = await refresh(tokens!.refresh_token);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).not.toBe(tokens!.refresh_token);
  });

  it("a function that runs past the 2 s statement timeout fails like one that raises", async () => {
    const { tokens } = await signIn("hook-int-slow@example.com");
    const failed = await withHookBody("begin perform pg_sleep(3); return event; end", () => refresh(tokens!.refresh_token));
    expect(failed).toEqual({
      status: 500,
      errorCode: "unexpected_failure",
      body: { code: "unexpected_failure", message: `Error running hook URI: ${HOOK_URI}` },
    });
  });

  it("claims of the wrong type or missing: 500 with every complaint, no x-sb-error-code", async () => {
    const { tokens } = await signIn("hook-int-schema@example.com");
    const body = `begin return jsonb_set(event, '{claims}', (event->'claims') - 'iat' - 'session_id'
      || '{"sub": 42, "aud": {"x": 1}, "role": ["authenticated"], "amr": [7], "is_anonymous": "yes", "aal": "aal9"}'::jsonb); end`;
    const failed = await withHookBody(body, () => refresh(tokens!.refresh_token));
    expect(failed).toEqual({
      status: 500,
      errorCode: null,
      body: {
        code: "unexpected_failure",
        message: schemaMessage(
          "(root): iat is required",
          "(root): session_id is required",
          "aud: Invalid type. Expected: [string,array], given: object",
          "sub: Invalid type. Expected: string, given: integer",
          "role: Invalid type. Expected: string, given: array",
          "amr.0: Must validate at least one schema (anyOf)",
          "amr.0: Invalid type. Expected: string, given: integer",
        ),
      },
    });
  });

  it.each([
    ["SQL NULL", "begin return null; end", schemaMessage("(root): Invalid type. Expected: object, given: null")],
    ["claims: null", "begin return jsonb_build_object('claims', null); end", schemaMessage("(root): Invalid type. Expected: object, given: null")],
    ["JSON null", "begin return 'null'::jsonb; end", "output claims field is missing"],
    ["an object without claims", "begin return event - 'claims'; end", "output claims field is missing"],
    ["an error object without a message", "begin return jsonb_build_object('error', jsonb_build_object('http_code', 403)); end", "output claims field is missing"],
  ])("%s: 500 without x-sb-error-code", async (name, body, message) => {
    const { tokens } = await signIn(`hook-int-${name.replace(/\W+/g, "-")}@example.com`);
    const failed = await withHookBody(body, () => refresh(tokens!.refresh_token));
    expect(failed).toEqual({ status: 500, errorCode: null, body: { code: "unexpected_failure", message } });
  });

  it.each([
    ["a JSON array", "begin return '[]'::jsonb; end"],
    ["a JSON string", `begin return to_jsonb('claims'::text); end`],
    ["a JSON number", "begin return '42'::jsonb; end"],
    ["a JSON boolean", "begin return 'true'::jsonb; end"],
    ["claims as a string", "begin return jsonb_build_object('claims', 'x'); end"],
  ])("%s: 500 Error unmarshaling JSON output. with x-sb-error-code", async (name, body) => {
    const { tokens } = await signIn(`hook-int-${name.replace(/\W+/g, "-")}@example.com`);
    const failed = await withHookBody(body, () => refresh(tokens!.refresh_token));
    expect(failed).toEqual({
      status: 500,
      errorCode: "unexpected_failure",
      body: { code: "unexpected_failure", message: "Error unmarshaling JSON output." },
    });
  });

  it("the error object: its status and message, code unknown, no x-sb-error-code; both error shapes", async () => {
    const { tokens } = await signIn("hook-int-error-object@example.com");
    const body = "begin return jsonb_build_object('error', jsonb_build_object('http_code', 429, 'message', 'Slow down')); end";
    const [current, legacy] = await withHookBody(body, async () => [
      await refresh(tokens!.refresh_token),
      await refresh(tokens!.refresh_token, null),
    ]);
    expect(current).toEqual({ status: 429, errorCode: null, body: { code: "unknown", message: "Slow down" } });
    expect(legacy).toEqual({ status: 429, errorCode: null, body: { code: 429, error_code: "unknown", msg: "Slow down" } });
  });

  it("the error object without http_code: 500 unexpected_failure, no x-sb-error-code", async () => {
    const { tokens } = await signIn("hook-int-error-500@example.com");
    const body = "begin return jsonb_build_object('error', jsonb_build_object('message', 'Broken on purpose')); end";
    const failed = await withHookBody(body, () => refresh(tokens!.refresh_token));
    expect(failed).toEqual({ status: 500, errorCode: null, body: { code: "unexpected_failure", message: "Broken on purpose" } });
  });

  it("a failing hook at the code exchange leaves no session, and the code still works once the hook is fixed", async () => {
    const { flow } = await signIn("hook-int-exchange@example.com", false);
    const exchange = () => post("/token?grant_type=pkce", { auth_code: flow.code, code_verifier: flow.verifier });
    const failed = await withHookBody("begin raise exception 'no'; end", exchange);
    expect(failed.status).toBe(500);
    const sessions = await sql<{ count: number }[]>`
      select count(*)::int as count from auth.sessions s join auth.users u on u.id = s.user_id
      where u.email = 'hook-int-exchange@example.com'`;
    expect(sessions[0]?.count).toBe(0);
    const ok = await exchange();
    expect(ok.status).toBe(200);
  });
});

describe("claims the hook changes are signed as returned", () => {
  it("nested values pass unchanged, odd but allowed values stay, and expires_at keeps the granted lifetime", async () => {
    const { tokens } = await signIn("hook-int-claims@example.com");
    const body = `begin return jsonb_set(event, '{claims}', (event->'claims') - 'user_metadata'
      || jsonb_build_object('groups', '["a", {"b": [1, null, {"c": true}]}]'::jsonb, 'aal', 'aal9', 'is_anonymous', 'yes',
                            'amr', '["pwd"]'::jsonb, 'exp', ((event->'claims'->>'iat')::int + 60))); end`;
    const refreshed = await withHookBody(body, () => refresh(tokens!.refresh_token));
    expect(refreshed.status).toBe(200);
    const claims = claimsOf(refreshed.body.access_token as string);
    expect(claims.groups).toEqual(["a", { b: [1, null, { c: true }] }]);
    expect(claims).not.toHaveProperty("user_metadata");
    expect(claims).not.toHaveProperty("user_role");
    expect([claims.aal, claims.is_anonymous, claims.amr]).toEqual(["aal9", "yes", ["pwd"]]);
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    expect((refreshed.body.expires_at as number) - (claims.iat as number)).toBe(600);
  });
});
