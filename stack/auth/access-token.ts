import { z } from "zod";
import type { App, Db } from "./app.ts";
import { AuthError } from "./errors.ts";
import { serializeUser, type UserRecord } from "./db/users.ts";
import type { SessionInfo } from "./db/sessions.ts";
import { signAccessToken, type Claims } from "./tokens.ts";

// The claims every access token must keep after the custom access token hook (Supabase's minimum schema).
const requiredClaims = z.object({
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number(),
  sub: z.string(),
  role: z.string(),
  aal: z.string(),
  session_id: z.string(),
  email: z.string(),
  phone: z.string(),
  is_anonymous: z.boolean(),
});

const hookOutput = z.object({
  claims: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ http_code: z.number().int().optional(), message: z.string().optional() }).optional(),
});

async function runAccessTokenHook(
  db: Db,
  fn: string,
  event: { user_id: string; claims: Claims; authentication_method: string },
): Promise<Claims> {
  let raw: unknown;
  try {
    await db`set local statement_timeout = 2000`;
    const rows = await db.unsafe(`select ${fn}($1::text::jsonb) as result`, [JSON.stringify(event)]);
    await db`set local statement_timeout to default`;
    raw = rows[0]?.result;
  } catch (error) {
    console.error(`custom access token hook ${fn} failed: ${(error as Error).message}`);
    throw new AuthError(500, "unexpected_failure", `Error running hook URI: pg-functions://postgres/${fn.replaceAll('"', "").replace(".", "/")}`);
  }
  const parsed = hookOutput.safeParse(raw);
  if (!parsed.success) throw new AuthError(500, "unexpected_failure", "Error unmarshalling JSON output.");
  if (parsed.data.error && (parsed.data.error.message || parsed.data.error.http_code)) {
    throw new AuthError(parsed.data.error.http_code ?? 500, "unexpected_failure", parsed.data.error.message ?? "");
  }
  const claims = parsed.data.claims;
  if (!claims) throw new AuthError(500, "unexpected_failure", "output claims field is missing");
  const valid = requiredClaims.safeParse(claims);
  if (!valid.success) {
    const lines = valid.error.issues.map((i) => `- ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    throw new AuthError(500, "unexpected_failure", `output claims do not conform to the expected schema: \n${lines}\n`);
  }
  return claims as Claims;
}

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
    expires_at: typeof claims.exp === "number" ? claims.exp : exp,
    refresh_token: opts.refreshToken,
    user: serializeUser(user),
  };
  if (opts.providerToken) response.provider_token = opts.providerToken;
  if (opts.providerRefreshToken) response.provider_refresh_token = opts.providerRefreshToken;
  return response;
}
