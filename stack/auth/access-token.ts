import { runAccessTokenHook } from "./access-token-hook.ts";
import type { App, Db } from "./app.ts";
import { serializeUser, type UserRecord } from "./db/users.ts";
import type { SessionInfo } from "./db/sessions.ts";
import { signAccessToken, type Claims } from "./tokens.ts";

export type TokenResponse = {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
  provider_token?: string;
  provider_refresh_token?: string;
};

/**
 * Signs an access token for a session and builds the token response. Runs inside the caller's transaction so
 * that a failing hook leaves no session behind.
 */
export async function issueTokens(
  app: App,
  db: Db,
  opts: {
    user: UserRecord;
    session: SessionInfo;
    refreshToken: string;
    authenticationMethod: string;
    providerToken?: string | null;
    providerRefreshToken?: string | null;
  },
): Promise<TokenResponse> {
  const { user, session } = opts;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + app.config.jwtExpiry;
  let claims: Claims = {
    aud: user.aud ?? "authenticated",
    exp,
    iat,
    iss: app.config.externalUrl,
    sub: user.id,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "authenticated",
    aal: session.aal,
    amr: session.amr,
    session_id: session.id,
    is_anonymous: user.is_anonymous,
  };
  if (app.config.accessTokenHook) {
    // Supabase Auth v2.196 sends `aud` as an array in the first token it signs after a start when the hook is
    // on; the app must accept both forms, so the local server reproduces it.
    if (!app.state.issuedFirstToken) claims.aud = [claims.aud as string];
    claims = await runAccessTokenHook(db, app.config.accessTokenHook, {
      user_id: user.id,
      claims,
      authentication_method: opts.authenticationMethod,
    });
  }
  const accessToken = await signAccessToken(app.keys, claims);
  app.state.issuedFirstToken = true;
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: app.config.jwtExpiry,
    // The lifetime the server granted: an `exp` the hook moved changes the token, not this answer.
    expires_at: exp,
    refresh_token: opts.refreshToken,
    user: serializeUser(user),
  };
  if (opts.providerToken) response.provider_token = opts.providerToken;
  if (opts.providerRefreshToken) response.provider_refresh_token = opts.providerRefreshToken;
  return response;
}
