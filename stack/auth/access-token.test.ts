import { decodeJwt, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { issueTokens } from "./access-token.ts";
import type { App, Db } from "./app.ts";
import { AuthError } from "./errors.ts";
import type { UserRecord } from "./db/users.ts";

type Claims = Record<string, unknown> & { exp: number; iat: number };
type HookEvent = { user_id: string; authentication_method: string; claims: Claims };
type HookCall = { query: string; event: HookEvent };

/**
 * A stand-in for the transaction: tagged-template statements succeed; the hook call records its event and
 * returns `result` the way Postgres prints a jsonb value (`null` = SQL NULL, a function maps the event).
 */
function fakeDb(result: unknown, calls: HookCall[] = []): Db {
  const tag = async () => [];
  return Object.assign(tag, {
    unsafe: async (query: string, params: string[]) => {
      const event = JSON.parse(params[0] as string) as HookEvent;
      calls.push({ query, event });
      if (result instanceof Error) throw result;
      const value = typeof result === "function" ? (result as (e: HookEvent) => unknown)(event) : result;
      return [{ output: value === null ? null : JSON.stringify(value) }];
    },
  }) as unknown as Db;
}

const user: UserRecord = {
  id: "7b6b3c2e-6a55-4d5e-9f0e-2a8d1c3b4e5f",
  aud: "authenticated",
  role: "authenticated",
  email: "hook@example.com",
  email_confirmed_at: new Date(),
  invited_at: null,
  phone: null,
  phone_confirmed_at: null,
  confirmation_sent_at: null,
  confirmed_at: new Date(),
  recovery_sent_at: null,
  email_change: null,
  email_change_sent_at: null,
  phone_change: null,
  phone_change_sent_at: null,
  reauthentication_sent_at: null,
  last_sign_in_at: new Date(),
  raw_app_meta_data: { provider: "google", providers: ["google"] },
  raw_user_meta_data: { full_name: "Hook Person" },
  created_at: new Date(),
  updated_at: new Date(),
  banned_until: null,
  deleted_at: null,
  is_anonymous: false,
  identities: [],
  factors: [],
};

const session = { id: "0b9b1f7e-2c1d-4e3f-8a9b-1c2d3e4f5a6b", aal: "aal1", amr: [{ method: "oauth", timestamp: 1 }] };

const { privateKey } = await generateKeyPair("ES256", { extractable: true });
const signing = { stored: { kid: "test-kid", private_jwk: await exportJWK(privateKey) }, privateKey };

function app(opts: { firstToken?: boolean; sign?: boolean } = {}): App {
  return {
    config: { jwtExpiry: 600, externalUrl: "http://127.0.0.1:54321/auth/v1", accessTokenHook: '"public"."hook"' },
    keys: {
      signing: () => {
        if (!opts.sign) throw new Error("must not sign when the hook fails");
        return signing;
      },
    },
    state: { issuedFirstToken: !opts.firstToken },
  } as unknown as App;
}

const issue = (a: App, db: Db) =>
  issueTokens(a, db, { user, session, refreshToken: "abcdefghijkl", authenticationMethod: "token_refresh" });

async function failure(result: unknown): Promise<AuthError> {
  try {
    await issue(app(), fakeDb(result));
  } catch (error) {
    return error as AuthError;
  }
  throw new Error("expected the hook to fail the request");
}

const withClaims = (change: (claims: Claims) => void) => (event: HookEvent) => {
  const claims = structuredClone(event.claims);
  change(claims);
  return { ...event, claims };
};

describe("custom access token hook failures fail the request as Supabase Auth does", () => {
  it("a function that raises → 500 unexpected_failure Error running hook URI, with the header", async () => {
    const error = await failure(new Error("not today"));
    expect(error).toBeInstanceOf(AuthError);
    expect([error.status, error.code, error.codeHeader]).toEqual([500, "unexpected_failure", true]);
    expect(error.message).toBe("Error running hook URI: pg-functions://postgres/public/hook");
  });

  it("an error object → its http_code and message, code unknown, no header", async () => {
    const error = await failure({ error: { http_code: 403, message: "Nope" } });
    expect([error.status, error.code, error.codeHeader, error.message]).toEqual([403, "unknown", false, "Nope"]);
  });

  it("no claims → output claims field is missing", async () => {
    const error = await failure({ something: 1 });
    expect([error.status, error.code, error.codeHeader]).toEqual([500, "unexpected_failure", false]);
    expect(error.message).toBe("output claims field is missing");
  });

  it("claims without sub → the schema report", async () => {
    const error = await failure(withClaims((c) => delete c.sub));
    expect(error.message).toBe("output claims do not conform to the expected schema: \n- (root): sub is required\n");
  });

  it("a JSON array → Error unmarshaling JSON output., with the header", async () => {
    const error = await failure([]);
    expect([error.status, error.code, error.codeHeader, error.message]).toEqual([
      500,
      "unexpected_failure",
      true,
      "Error unmarshaling JSON output.",
    ]);
  });
});

describe("issueTokens with the custom access token hook", () => {
  it("sends the claims it would sign, the user id and the authentication method, with a 2 s timeout", async () => {
    const calls: HookCall[] = [];
    await issue(app({ sign: true }), fakeDb((event: HookEvent) => event, calls));
    expect(calls).toHaveLength(1);
    const [{ query, event }] = calls as [HookCall];
    expect(query).toBe('select "public"."hook"($1::text::jsonb)::text as output');
    expect(event.user_id).toBe(user.id);
    expect(event.authentication_method).toBe("token_refresh");
    expect(event.claims).toMatchObject({
      aud: "authenticated",
      sub: user.id,
      email: "hook@example.com",
      phone: "",
      role: "authenticated",
      aal: "aal1",
      session_id: session.id,
      is_anonymous: false,
      amr: session.amr,
    });
    expect(event.claims.exp - event.claims.iat).toBe(600);
  });

  it("the first token after a start carries aud as an array; later ones a string", async () => {
    const calls: HookCall[] = [];
    const a = app({ sign: true, firstToken: true });
    await issue(a, fakeDb((event: HookEvent) => event, calls));
    await issue(a, fakeDb((event: HookEvent) => event, calls));
    expect(calls.map((c) => c.event.claims.aud)).toEqual([["authenticated"], "authenticated"]);
  });

  it("signs the hook's claims as returned: nested values unchanged, claims it dropped stay dropped", async () => {
    const nested = ["a", { b: 1, c: [null, true, 1.5] }];
    const response = await issue(
      app({ sign: true }),
      fakeDb(withClaims((c) => {
        c.groups = nested;
        delete c.user_metadata;
        c.is_anonymous = "any value passes";
      })),
    );
    const claims = decodeJwt(response.access_token);
    expect(claims.groups).toEqual(nested);
    expect(claims).not.toHaveProperty("user_metadata");
    expect(claims.is_anonymous).toBe("any value passes");
  });

  it("expires_at is the granted lifetime even when the hook moves exp", async () => {
    const response = await issue(app({ sign: true }), fakeDb(withClaims((c) => (c.exp = c.iat + 60))));
    const claims = decodeJwt(response.access_token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    expect(response.expires_at - (claims.iat as number)).toBe(600);
    expect(response.expires_in).toBe(600);
  });
});
