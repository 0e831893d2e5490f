import "server-only";
import { decodeJwt } from "jose";
import { getAccountProfile, readAccountProfile, type AccountProfile } from "../account/get-account-profile";
import { withUser, type AuthContext } from "../auth/guard";
import type { JwtClaims } from "../db/rls";
import { AppError } from "../errors";
import { createClient } from "../supabase/server";
import type { BenchVariant } from "./variants";

export type BenchProfile = { name: string; email: string; role: string; identities: string };

const NIL = "00000000-0000-0000-0000-000000000000";

function toBenchProfile(profile: AccountProfile, role: string): BenchProfile {
  return {
    name: profile.displayName ?? "Guest",
    email: profile.email || "—",
    role,
    identities: profile.identities.map((i) => i.provider).join(", ") || "—",
  };
}

/** Claims that match no session: RLS runs the same checks and the same query, and returns no row. */
function anonymousContext(): AuthContext {
  const claims = { sub: NIL, role: "authenticated", session_id: NIL, aud: "authenticated" } as AuthContext["claims"];
  return { userId: NIL, sessionId: NIL, email: "", role: "user", claims };
}

/**
 * Measurement only — the getUser pattern this app does not use: the Auth server's `GET /user` decides who
 * the user is; the claims handed to withRls are those of the very token it accepted.
 */
async function getUserContext(): Promise<AuthContext> {
  const supabase = await createClient();
  const { data, error } = await supabase.auth.getUser();
  const { data: session } = await supabase.auth.getSession();
  const token = session.session?.access_token;
  if (error || !data.user || !token) throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
  const claims = decodeJwt(token) as JwtClaims;
  if (claims.sub !== data.user.id) throw new AppError({ code: "unauthenticated", message: "Sign in to continue" });
  return { userId: claims.sub, sessionId: claims.session_id, email: data.user.email ?? "", role: "user", claims: claims as AuthContext["claims"] };
}

/**
 * The data of the benchmark page for one variant; see ./variants.ts for what each one measures. Each reads
 * what /account reads (app/account/page.tsx): the profile row and the linked identities, in one round trip.
 */
export async function loadBenchProfile(variant: BenchVariant): Promise<BenchProfile> {
  if (variant === "no-auth") {
    return toBenchProfile(await getAccountProfile(anonymousContext()), "—");
  }
  if (variant === "session") {
    // As app/account/page.tsx reads it: the guard's check and the page's queries in one transaction.
    const { auth, data } = await withUser((tx, user) => readAccountProfile(tx, user), { next: "/account" });
    return toBenchProfile(data, auth.role);
  }
  return toBenchProfile(await getAccountProfile(await getUserContext()), "—");
}
