import "server-only";
import { createClient } from "../supabase/server";

export type SessionUser = {
  id: string;
  email: string;
  name: string | null;
  avatarUrl: string | null;
  provider: string | null;
  providers: string[];
  sessionId: string;
};

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * The signed-in user from verified access-token claims (ES256, checked against the JWKS; no Auth server
 * call while the token is fresh), or null.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const supabase = await createClient();
  const { data, error } = await supabase.auth.getClaims();
  const claims = data?.claims;
  if (error || !claims || typeof claims.sub !== "string") return null;
  const sessionId = str(claims.session_id);
  if (!sessionId) return null;
  const meta = (claims.user_metadata ?? {}) as Record<string, unknown>;
  const app = (claims.app_metadata ?? {}) as Record<string, unknown>;
  return {
    id: claims.sub,
    email: str(claims.email) ?? "",
    name: str(meta.full_name) ?? str(meta.name),
    avatarUrl: str(meta.avatar_url) ?? str(meta.picture),
    provider: str(app.provider),
    providers: Array.isArray(app.providers) ? app.providers.filter((p): p is string => typeof p === "string") : [],
    sessionId,
  };
}
