import { describe, expect, it } from "vitest";
import { issueTokens } from "./access-token.ts";
import type { App, Db } from "./app.ts";
import { AuthError } from "./errors.ts";
import type { UserRecord } from "./db/users.ts";

/** A stand-in for the transaction: tagged-template statements succeed, the hook call returns `result`. */
function fakeDb(result: unknown | Error): Db {
  const tag = async () => [];
  return Object.assign(tag, {
    unsafe: async () => {
      if (result instanceof Error) throw result;
      return [{ result }];
    },
  }) as unknown as Db;
}

const user: UserRecord = {
  id: "7b6b3c2e-6a55-4d5e-9f0e-2a8d1c3b4e5f",
  aud: "authenticated",
  role: "authenticated",
  email: "hook@example.com",
  email_confirmed_at: new Date(),
  phone: null,
  confirmed_at: new Date(),
  last_sign_in_at: new Date(),
  raw_app_meta_data: { provider: "google", providers: ["google"] },
  raw_user_meta_data: { full_name: "Hook Person" },
  created_at: new Date(),
  updated_at: new Date(),
  banned_until: null,
  is_anonymous: false,
  identities: [],
  factors: [],
  invited_at: null,
  phone_confirmed_at: null,
  confirmation_sent_at: null,
  recovery_sent_at: null,
  email_change: null,
  email_change_sent_at: null,
  phone_change: null,
  phone_change_sent_at: null,
  reauthentication_sent_at: null,
  deleted_at: null,
};

const session = { id: "0b9b1f7e-2c1d-4e3f-8a9b-1c2d3e4f5a6b", aal: "aal1", amr: [{ method: "oauth", timestamp: 1 }] };

function app(): App {
  return {
    config: { jwtExpiry: 600, externalUrl: "http://127.0.0.1:54321/auth/v1", accessTokenHook: '"public"."hook"' },
    keys: { signing: () => { throw new Error("must not sign when the hook fails"); } },
    state: { issuedFirstToken: true },
  } as unknown as App;
}

async function failure(result: unknown | Error): Promise<AuthError> {
  try {
    await issueTokens(app(), fakeDb(result), { user, session, refreshToken: "abcdefghijkl", authenticationMethod: "oauth" });
  } catch (error) {
    return error as AuthError;
  }
  throw new Error("expected the hook to fail the request");
}

describe("custom access token hook failures fail the request as Supabase Auth does", () => {
  it("a function that raises → 500 Error running hook URI", async () => {
    const error = await failure(new Error("division by zero"));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.status).toBe(500);
    expect(error.message).toBe("Error running hook URI: pg-functions://postgres/public/hook");
  });

  it("an error object → its http_code and message", async () => {
    const error = await failure({ error: { http_code: 403, message: "Nope" } });
    expect(error.status).toBe(403);
    expect(error.message).toBe("Nope");
  });

  it("no claims → output claims field is missing", async () => {
    const error = await failure({ something: 1 });
    expect(error.status).toBe(500);
    expect(error.message).toBe("output claims field is missing");
  });

  it("claims without a required claim → the schema error", async () => {
    const error = await failure({ claims: { sub: user.id, role: "authenticated" } });
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^output claims do not conform to the expected schema/);
    expect(error.message).toContain("session_id");
  });
});
