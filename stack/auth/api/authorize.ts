import { randomUUID } from "node:crypto";
import type { App, Db } from "../app.ts";
import { issueTokens } from "../access-token.ts";
import { userActor, writeAudit } from "../db/audit.ts";
import { findFlowStateById, insertFlowState, issueAuthCode, deleteFlowState, type FlowState } from "../db/flow-state.ts";
import {
  findIdentitiesByEmails,
  findIdentityByProviderId,
  insertIdentity,
  recordIdentitySignIn,
} from "../db/identities.ts";
import { createSession } from "../db/sessions.ts";
import {
  confirmUserEmail,
  findUserIdsByEmails,
  insertProviderUser,
  isEmailTaken,
  makePermanent,
  mergeUserMetadata,
  recordUserSignIn,
  syncAppMetadataProviders,
  updateEmailFromIdentities,
} from "../db/signup.ts";
import { findUserById, isBanned, type UserRecord } from "../db/users.ts";
import { AuthError, badRequest, errorBody, forbidden, internalError, unprocessable, validationFailed } from "../errors.ts";
import { redirect, type Ctx, type Reply, type Route } from "../http.ts";
import { identityData, loadProvider, ProviderFailure, type ProviderSignIn } from "../providers/index.ts";
import {
  firstValue,
  hexEscapeNonAscii,
  oauthErrorName,
  parseQuery,
  resolveReferrer,
  withErrorParams,
  withQueryParams,
  withTokenFragment,
  type QueryValues,
  type RedirectError,
} from "../redirect.ts";

/** How long an OAuth state (a flow_state row) stays usable between authorize and callback. */
const FLOW_STATE_LIFETIME_MS = 5 * 60 * 1000;

const UUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
];

/** A uuid in any form Go's uuid.FromString accepts, canonicalised; null otherwise. */
export function parseUuid(value: string): string | null {
  for (const form of UUID_FORMS) {
    const m = form.exec(value);
    if (m) return m.slice(1, 6).join("-").toLowerCase();
  }
  return null;
}

function rawQuery(ctx: Ctx): string {
  const url = ctx.req.url ?? "";
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

const CODE_CHALLENGE = /^[a-zA-Z._~0-9-]+$/;

function codeChallengeMethod(challenge: string, method: string): "s256" | "plain" | null {
  if ((challenge === "") !== (method === "")) {
    throw validationFailed("PKCE flow requires code_challenge_method and code_challenge");
  }
  if (challenge === "") return null;
  if (challenge.length < 43 || challenge.length > 128) {
    throw validationFailed("code challenge has to be between 43 and 128 characters");
  }
  if (!CODE_CHALLENGE.test(challenge)) {
    throw validationFailed("code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes");
  }
  const lower = method.toLowerCase();
  if (lower !== "s256" && lower !== "plain") throw validationFailed("Invalid code_challenge_method");
  return lower;
}

/**
 * Starts an OAuth flow (sign-in, or linking when `linkingTargetId` is set): validates the provider and the
 * PKCE parameters, stores the flow state whose id is the OAuth `state`, and returns the provider's
 * authorization URL.
 */
export async function providerRedirectUrl(app: App, ctx: Ctx, linkingTargetId: string | null): Promise<string> {
  const { values } = parseQuery(rawQuery(ctx));
  let provider;
  try {
    provider = await loadProvider(app, firstValue(values, "provider"));
  } catch (error) {
    if (error instanceof ProviderFailure) throw validationFailed(`Unsupported provider: ${error.message}`);
    throw error;
  }
  const redirectTo = ctx.header("redirect_to") || firstValue(values, "redirect_to");
  const referrer = resolveReferrer(app.config, redirectTo, ctx.header("referer") ?? "");
  const challenge = firstValue(values, "code_challenge");
  const method = codeChallengeMethod(challenge, firstValue(values, "code_challenge_method"));
  const state = randomUUID();
  await insertFlowState(app.sql, {
    id: state,
    providerType: provider.name,
    codeChallenge: challenge || null,
    codeChallengeMethod: method,
    referrer,
    linkingTargetId,
  });
  const extra: QueryValues = new Map(values);
  for (const key of ["scopes", "provider", "code_challenge", "code_challenge_method"]) extra.delete(key);
  return provider.authorizationUrl({ state, scopes: firstValue(values, "scopes"), extra });
}

// ---------------------------------------------------------------------------------------------------------
// Callback

/** An error the provider reported to the callback (`error`, `error_description`): passed on as is. */
class ProviderRedirectError extends Error {
  readonly error: string;
  readonly description: string;
  constructor(error: string, description: string) {
    super(description);
    this.error = error;
    this.description = description;
  }
}

type CallbackParams = { state: string; values: QueryValues };

/**
 * The callback's parameters as Go's `net/http` reads them: a form post's body values come before the
 * query's; a body that does not parse cleanly is ignored for everything but `state`.
 */
async function callbackParams(ctx: Ctx): Promise<CallbackParams> {
  const query = parseQuery(rawQuery(ctx)).values;
  if (ctx.method !== "POST") return { state: firstValue(query, "state"), values: query };
  const contentType = (ctx.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  const body = contentType === "application/x-www-form-urlencoded" ? parseQuery(await ctx.text()) : { values: new Map(), ok: true };
  const form: QueryValues = new Map(body.values);
  for (const [key, list] of query) form.set(key, [...(form.get(key) ?? []), ...list]);
  return { state: firstValue(form, "state"), values: body.ok ? form : query };
}

/** Go's encoding/json escapes these in every string it writes. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A broken `state` cannot say where the flow came from: 303 to the site URL with the error in the query,
 * and the legacy JSON error after the redirect's HTML (a form post gets only the JSON, sniffed as text).
 */
function stateError(app: App, ctx: Ctx, error: AuthError): Reply {
  const location = hexEscapeNonAscii(
    withQueryParams(app.config.siteUrl, {
      error: oauthErrorName(error.status, error.code),
      error_code: error.code,
      error_description: error.message,
    }),
  );
  const body = goJson(errorBody(error, null));
  if (ctx.method === "GET" || ctx.method === "HEAD") return redirect(ctx.method, location, 303, body);
  return { status: 303, headers: { location, "content-type": "text/plain; charset=utf-8" }, body };
}

function redirectErrorOf(error: unknown): RedirectError {
  if (error instanceof ProviderRedirectError) return { error: error.error, description: error.description };
  if (error instanceof AuthError) {
    return { error: oauthErrorName(error.status, error.code), description: error.message, code: error.code };
  }
  if (!(error instanceof ProviderFailure)) console.error(error);
  return { error: "server_error", description: error instanceof Error ? error.message : String(error) };
}

async function callback(app: App, ctx: Ctx): Promise<Reply> {
  const params = await callbackParams(ctx);
  if (params.state === "") return stateError(app, ctx, badRequest("bad_oauth_callback", "OAuth state parameter missing"));
  const stateId = parseUuid(params.state);
  if (!stateId) return stateError(app, ctx, badRequest("bad_oauth_state", "OAuth state parameter is invalid"));
  const flow = await findFlowStateById(app.sql, stateId);
  if (!flow || Date.now() - flow.created_at.getTime() > FLOW_STATE_LIFETIME_MS) {
    return stateError(app, ctx, badRequest("bad_oauth_state", "OAuth state not found or expired"));
  }
  if (flow.auth_code) return stateError(app, ctx, badRequest("flow_state_already_used", "State has already been used"));

  const referrer = flow.referrer || app.config.siteUrl;
  let location: string;
  try {
    location = await completeFlow(app, ctx, flow, referrer, params.values);
  } catch (error) {
    location = withErrorParams(referrer, redirectErrorOf(error));
  }
  return redirect(ctx.method, hexEscapeNonAscii(location));
}

async function providerSignIn(app: App, flow: FlowState, values: QueryValues): Promise<ProviderSignIn> {
  const providerError = firstValue(values, "error");
  if (providerError !== "") throw new ProviderRedirectError(providerError, firstValue(values, "error_description"));
  const code = firstValue(values, "code");
  if (code === "") throw badRequest("bad_oauth_callback", "OAuth callback with missing authorization code missing");
  let provider;
  try {
    provider = await loadProvider(app, flow.provider_type);
  } catch (error) {
    if (error instanceof ProviderFailure) throw badRequest("oauth_provider_not_supported", `Unsupported provider: ${error.message}`);
    throw error;
  }
  try {
    return await provider.signIn(code, firstValue(values, "user"));
  } catch (error) {
    if (!(error instanceof ProviderFailure)) throw error;
    console.error(`auth: ${flow.provider_type} ${error.stage} failed: ${error.message}`);
    if (error.stage === "exchange") throw internalError(`Unable to exchange external code: ${code.slice(0, 4)}`);
    if (error.stage === "profile") throw internalError("Error getting user profile from external provider");
    throw error;
  }
}

/**
 * What a sign-in or link decided: the user, or an error Supabase Auth reports only after committing what
 * the flow wrote (the unverified-email cases).
 */
type Outcome = { userId: string; deferred?: undefined } | { userId?: undefined; deferred: AuthError };

type Identity = {
  provider: string;
  providerId: string;
  data: Record<string, unknown>;
  emails: { email: string; verified: boolean; primary: boolean }[];
};

async function completeFlow(app: App, ctx: Ctx, flow: FlowState, referrer: string, values: QueryValues): Promise<string> {
  const signIn = await providerSignIn(app, flow, values);
  const { emails, claims } = signIn.user;
  if (emails.length === 0) throw internalError("Error getting user email from external provider");
  let email = "";
  let verified = false;
  for (const e of emails) {
    email = e.email;
    verified = e.verified;
    if (e.primary) break;
  }
  const identity: Identity = {
    provider: flow.provider_type,
    providerId: claims.sub ?? "",
    data: identityData({ ...claims, email, email_verified: verified }),
    emails,
  };
  const pkce = flow.code_challenge !== null;
  const authCode = randomUUID();
  const implicit: { tokens: Record<string, string> } = { tokens: {} };
  const deferred = await app.sql.begin(async (tx) => {
    const outcome = flow.linking_target_id
      ? await linkIdentity(tx, flow.linking_target_id, identity)
      : await signInWithIdentity(app, tx, ctx, identity);
    if (outcome.deferred) return outcome.deferred;
    await recordUserSignIn(tx, outcome.userId);
    if (pkce) {
      const issued = await issueAuthCode(tx, flow.id, {
        authCode,
        userId: outcome.userId,
        providerAccessToken: signIn.accessToken,
        providerRefreshToken: signIn.refreshToken,
      });
      if (!issued) throw badRequest("flow_state_already_used", "State has already been used");
    } else {
      implicit.tokens = await implicitSession(app, tx, ctx, flow, outcome.userId, signIn);
    }
    return null;
  });
  if (deferred) throw deferred;
  if (pkce) return withQueryParams(referrer, { code: authCode });
  return withTokenFragment(referrer, implicit.tokens);
}

/** The implicit flow (no code_challenge): a session now, its tokens in the redirect's fragment. */
async function implicitSession(
  app: App,
  tx: Db,
  ctx: Ctx,
  flow: FlowState,
  userId: string,
  signIn: ProviderSignIn,
): Promise<Record<string, string>> {
  const user = await findUserById(tx, userId);
  if (!user) throw internalError("Database error finding user");
  const { session, refreshToken } = await createSession(tx, {
    userId,
    method: "oauth",
    ip: ctx.ip,
    userAgent: ctx.header("user-agent"),
  });
  await writeAudit(tx, { actor: userActor(user), action: "login", logType: "account", traits: { provider_type: flow.provider_type } });
  await deleteFlowState(tx, flow.id);
  const tokens = await issueTokens(app, tx, { user, session, refreshToken, authenticationMethod: "oauth" });
  const out: Record<string, string> = {
    access_token: tokens.access_token,
    expires_at: String(tokens.expires_at),
    expires_in: String(tokens.expires_in),
    provider_token: signIn.accessToken,
    refresh_token: tokens.refresh_token,
    token_type: tokens.token_type,
  };
  if (signIn.refreshToken) out.provider_refresh_token = signIn.refreshToken;
  return out;
}

/**
 * Sign-in with a provider identity, by Supabase Auth's account-linking rules: a known identity signs its
 * user in (identity_data replaced, user_metadata merged); otherwise a verified email shared with exactly
 * one existing account links the identity to it; otherwise a new user is created.
 */
async function signInWithIdentity(app: App, tx: Db, ctx: Ctx, identity: Identity): Promise<Outcome> {
  const verifiedEmails = identity.emails.filter((e) => e.verified).map((e) => e.email.toLowerCase());
  const primary = identity.emails.find((e) => e.primary);
  const candidate = { email: primary?.email.toLowerCase() ?? "", verified: primary?.verified ?? false };

  let userId: string | null = null;
  const existing = await findIdentityByProviderId(tx, identity.provider, identity.providerId);
  if (existing) {
    userId = existing.user_id;
    await recordIdentitySignIn(tx, existing.id, identity.data);
    await mergeUserMetadata(tx, userId, identity.data);
    await syncAppMetadataProviders(tx, userId);
  } else {
    let linkTo: string | null = null;
    if (verifiedEmails.length > 0) {
      const identityUsers = new Set((await findIdentitiesByEmails(tx, verifiedEmails)).map((i) => i.user_id));
      const similarUsers = identityUsers.size === 0 ? await findUserIdsByEmails(tx, verifiedEmails) : [...identityUsers];
      if (similarUsers.length > 1) {
        throw internalError("Multiple accounts with the same email address in the same linking domain detected: default");
      }
      linkTo = similarUsers[0] ?? null;
    } else if (await isEmailTaken(tx, candidate.email, requestAud(ctx))) {
      candidate.email = "";
    }
    if (linkTo) {
      userId = linkTo;
      await insertIdentity(tx, { id: randomUUID(), userId, provider: identity.provider, providerId: identity.providerId, identityData: identity.data });
      await mergeUserMetadata(tx, userId, identity.data);
      await syncAppMetadataProviders(tx, userId);
    } else {
      if (app.config.disableSignup) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
      userId = randomUUID();
      await insertProviderUser(tx, {
        id: userId,
        email: candidate.email || null,
        aud: requestAud(ctx),
        role: "authenticated",
        appMetadata: { provider: identity.provider, providers: [identity.provider] },
        userMetadata: identity.data,
      });
      await insertIdentity(tx, { id: randomUUID(), userId, provider: identity.provider, providerId: identity.providerId, identityData: identity.data });
    }
  }

  const user = await loadUser(tx, userId);
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  if (!user.email_confirmed_at) {
    if (!candidate.verified) {
      return {
        deferred: unprocessable(
          "provider_email_needs_verification",
          `Unverified email with ${identity.provider}. Verify the email with ${identity.provider} in order to sign in`,
        ),
      };
    }
    await writeAudit(tx, { actor: userActor(user), action: "user_signedup", logType: "team", traits: { provider: identity.provider } });
    await confirmUserEmail(tx, userId);
  } else {
    await writeAudit(tx, { actor: userActor(user), action: "login", logType: "account", traits: { provider: identity.provider } });
  }
  return { userId };
}

/**
 * Manual linking: the identity joins the user who asked for it, unless some user (that one included)
 * already has it. The user's metadata is left as it is.
 */
async function linkIdentity(tx: Db, targetId: string, identity: Identity): Promise<Outcome> {
  const target = await findUserById(tx, targetId);
  if (!target) throw unprocessable("user_not_found", "Linking target user not found");
  const existing = await findIdentityByProviderId(tx, identity.provider, identity.providerId);
  if (existing) {
    throw unprocessable(
      "identity_already_exists",
      existing.user_id === targetId ? "Identity is already linked" : "Identity is already linked to another user",
    );
  }
  await insertIdentity(tx, { id: randomUUID(), userId: targetId, provider: identity.provider, providerId: identity.providerId, identityData: identity.data });
  if (!target.email) {
    if (!(await updateEmailFromIdentities(tx, targetId))) {
      throw badRequest("email_exists", "A user with this email address has already been registered");
    }
    if (identity.data.email_verified !== true) {
      return {
        deferred: unprocessable(
          "email_not_confirmed",
          `Unverified email with ${identity.provider}. A confirmation email has been sent to your ${identity.provider} email`,
        ),
      };
    }
    await confirmUserEmail(tx, targetId);
    if (target.is_anonymous) await makePermanent(tx, targetId);
  }
  await syncAppMetadataProviders(tx, targetId);
  return { userId: targetId };
}

async function loadUser(tx: Db, userId: string): Promise<UserRecord> {
  const user = await findUserById(tx, userId);
  if (!user) throw internalError("Database error finding user");
  return user;
}

/** The audience of new users: `X-JWT-AUD` when the request sets it, else the default. */
function requestAud(ctx: Ctx): string {
  return ctx.header("x-jwt-aud") || "authenticated";
}

export function authorizeRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/authorize",
      open: true,
      handler: async (ctx) => redirect(ctx.method, hexEscapeNonAscii(await providerRedirectUrl(app, ctx, null))),
    },
    { method: "GET", pattern: "/callback", open: true, handler: (ctx) => callback(app, ctx) },
    { method: "POST", pattern: "/callback", open: true, handler: (ctx) => callback(app, ctx) },
  ];
}
