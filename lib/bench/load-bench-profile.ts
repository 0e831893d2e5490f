import "server-only";
import { decodeJwt } from "jose";
import { getProfile, readProfile, type Profile } from "../account/get-profile";
import { withUser, type AuthContext } from "../auth/guard";
import type { JwtClaims } from "../db/rls";
import { AppError } from "../errors";
import { createClient } from "../supabase/server";
import type { BenchVariant } from "./variants";

export type BenchProfile = { name: string; email: string; role: string; memberSince: string };

const NIL = "00000000-0000-0000-0000-000000000000";

function toBenchProfile(profile: Profile | null, email: string, role: string): BenchProfile {
  return {
    name: profile?.displayName ?? "Guest",
    email: email || "—",
    role,
    memberSince: profile ? profile.createdAt.slice(0, 10) : "—",
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

/** The data of the benchmark page for one variant; see ./variants.ts for what each one measures. */
export async function loadBenchProfile(variant: BenchVariant): Promise<BenchProfile> {
  if (variant === "no-auth") {
    return toBenchProfile(await getProfile(anonymousContext()), "", "—");
  }
  if (variant === "session") {
    // As app/account/page.tsx reads it: the guard's check and the profile query in one transaction.
    const { auth, data } = await withUser((tx, user) => readProfile(tx, user.userId), { next: "/account" });
    return toBenchProfile(data, auth.email, auth.role);
  }
  const auth = await getUserContext();
  return toBenchProfile(await getProfile(auth), auth.email, "—");
}
