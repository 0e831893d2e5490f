import { randomUUID } from "node:crypto";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import type { AuthContext } from "../auth/guard";
import { isAppRole, type AppRole } from "../auth/permissions";
import { verifyAccessToken, type VerifiedClaims } from "../auth/verify-token";
import { createAdminClient } from "../supabase/admin";

/**
 * Real users for lib/ integration tests against the running local stack: created through the Auth admin API,
 * signed in with a password, and turned into what the guard hands a page. Call loadLocalStackEnv() first.
 */
export type TestUsers = {
  /** A superuser connection for fixtures and for checking results behind RLS's back. */
  db: postgres.Sql;
  createUser(label: string, role?: AppRole): Promise<{ id: string; email: string }>;
  /** A password sign-in through supabase-js with the publishable key: a new session each time. */
  signIn(email: string, client?: ClientOptions): ReturnType<SupabaseClient["auth"]["signInWithPassword"]>;
  /** Signs in and returns verified claims with the role read from the table (or `roleOverride`). */
  contextFor(email: string, roleOverride?: AppRole, client?: ClientOptions): Promise<AuthContext>;
  /** What the guard hands a page for this access token: verified claims, the role read from the table. */
  contextFromToken(accessToken: string, email: string, roleOverride?: AppRole): Promise<AuthContext>;
  /** Deletes every user created here and closes the connection. */
  cleanup(): Promise<void>;
};

const PASSWORD = "correct-horse-battery-staple";

/** `userAgent`: the User-Agent the Auth server sees, and records on the session a sign-in creates. */
export type ClientOptions = { userAgent?: string };

/** A supabase-js client with the publishable key, as a browser would have. */
export function anonClient(options: ClientOptions = {}): SupabaseClient {
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL as string, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY as string, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(options.userAgent ? { global: { headers: { "User-Agent": options.userAgent } } } : {}),
  });
}

export function testUsers(domain: string): TestUsers {
  const db = postgres(process.env.DATABASE_URL as string, { max: 2, onnotice: () => {} });
  const created: string[] = [];

  async function contextFromToken(accessToken: string, email: string, roleOverride?: AppRole): Promise<AuthContext> {
    const verified = await verifyAccessToken(accessToken);
    if (!verified.ok) throw new Error(`token not accepted: ${verified.reason}`);
    const claims = verified.claims as VerifiedClaims & { sub: string; role: string; session_id: string };
    const [row] = await db<{ role: string }[]>`select role::text from public.user_roles where user_id = ${claims.sub}`;
    const role = roleOverride ?? (isAppRole(row?.role) ? row.role : "user");
    return { userId: claims.sub, sessionId: claims.session_id, email, role, claims };
  }

  return {
    db,
    async createUser(label, role = "user") {
      const email = `${label}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}@${domain}`;
      const { data, error } = await createAdminClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
      if (error || !data.user) throw error ?? new Error("no user");
      created.push(data.user.id);
      if (role !== "user") await db`update public.user_roles set role = ${role} where user_id = ${data.user.id}`;
      return { id: data.user.id, email };
    },
    signIn(email, client) {
      return anonClient(client).auth.signInWithPassword({ email, password: PASSWORD });
    },
    async contextFor(email, roleOverride, client) {
      const { data, error } = await anonClient(client).auth.signInWithPassword({ email, password: PASSWORD });
      if (error || !data.session) throw error ?? new Error("no session");
      return contextFromToken(data.session.access_token, email, roleOverride);
    },
    contextFromToken,
    async cleanup() {
      const client = createAdminClient().auth.admin;
      for (const id of created) await client.deleteUser(id).catch(() => undefined);
      await db.end({ timeout: 5 });
    },
  };
}
