import { randomBytes } from "node:crypto";
import type { JWK } from "jose";
import Provider, {
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
  type ResponseModeHandler,
} from "oidc-provider";
import { escapeHtml } from "./consent-page.ts";
import { createMemoryAdapterFactory } from "./memory-adapter.ts";
import {
  isEmail,
  normalizeEmail,
  subjectFor,
  type Identity,
  type IdentityDirectory,
  type ProviderKind,
} from "./identities.ts";

export type ClientCredentials = { clientId: string; clientSecret: string };

export type PromptName = "login" | "consent" | "select_account";

/** Parameters of the emulator itself, read by every emulator: the test shortcuts of `loginHintShortcut`. */
const EMULATOR_PARAMS = ["login_hint", "prompt_action"];

/** What differs between the Google and the Apple emulator. */
export type EmulatorSpec = {
  kind: ProviderKind;
  title: string;
  /** Scope → the claims it releases in ID tokens (and userinfo). */
  scopeClaims: Record<string, string[]>;
  accountClaims(sub: string, identity: Identity): Record<string, unknown>;
  /** Whether discovery advertises a userinfo endpoint. */
  userinfo: boolean;
  refreshTokens: boolean;
  requireAuthTime: boolean;
  /**
   * Issue an ID token even when `openid` was not requested, as Google and Apple do for Supabase Auth's
   * `email profile` / `email name` requests.
   */
  implicitOpenid: boolean;
  /**
   * The `prompt` values the provider honours besides `none` (which is always alone). A request with any
   * other value is refused with `invalid_request`.
   */
  prompts: readonly PromptName[];
  /**
   * Authorization request parameters the provider reads beyond the OAuth/OIDC ones, each with a check of
   * its value: an error description for `invalid_request`, or null. Other unknown parameters are ignored.
   */
  extraParams: Record<string, (value: string) => string | null>;
  /**
   * When set, the only authorization request parameters the provider reads: every other one (`prompt`,
   * `max_age`, …) is dropped before the request is processed, as if it had not been sent.
   */
  readsOnly?: ReadonlySet<string>;
  /** `access_type=offline` is answered with a refresh token that outlives the browser session (Google). */
  offlineAccess: boolean;
  cancel: { error: string; error_description?: string };
  /** Fields rendered into the auto-submitting form (the default drops nothing and adds nothing). */
  formPostFields?(
    ctx: KoaContextWithOIDC,
    payload: Record<string, string>,
    accounts: ReadonlyMap<string, Identity>,
  ): Record<string, string>;
};

export type Emulator = {
  spec: EmulatorSpec;
  provider: Provider;
  /** Path prefix of the issuer, e.g. "/google". */
  mountPath: string;
  client: ClientCredentials;
  directory: IdentityDirectory;
  /** Provider subject → the identity it last signed in as. */
  accounts: Map<string, Identity>;
  signIn(identity: Identity): string;
};

export type EmulatorOptions = {
  spec: EmulatorSpec;
  issuer: string;
  client: ClientCredentials;
  redirectUris: string[];
  signingKey: JWK;
  directory: IdentityDirectory;
};

/** Adds `openid` to an authorization request's scope, which is what makes oidc-provider issue an ID token. */
export function withOpenidScope(params: URLSearchParams): URLSearchParams {
  const scopes = (params.get("scope") ?? "").split(" ").filter(Boolean);
  if (scopes.includes("openid")) return params;
  const next = new URLSearchParams(params);
  next.set("scope", ["openid", ...scopes].join(" "));
  return next;
}

/**
 * The authorization request as the provider reads it: with `openid` added where the provider issues ID
 * tokens regardless, and without the parameters a provider that reads only its own (Apple) ignores.
 */
export function authorizeParamsFor(spec: EmulatorSpec, params: URLSearchParams): URLSearchParams {
  let out = spec.implicitOpenid ? withOpenidScope(params) : new URLSearchParams(params);
  const reads = spec.readsOnly;
  if (reads) {
    out = new URLSearchParams([...out].filter(([key]) => reads.has(key) || EMULATOR_PARAMS.includes(key)));
  }
  return out;
}

/**
 * oidc-provider's interaction policy with exactly the provider's `prompt` values requestable: `login` and
 * `consent` lose their prompt check when the provider does not honour them (so asking for them is
 * `invalid_request`), and `select_account` is added as a prompt that only a request can trigger.
 */
function interactionPolicyFor(spec: EmulatorSpec): interactionPolicy.Policy {
  const policy = interactionPolicy.base();
  for (const name of ["login", "consent"] as const) {
    if (spec.prompts.includes(name)) continue;
    const prompt = policy.get(name);
    if (!prompt) continue;
    prompt.checks.remove(`${name}_prompt`);
    prompt.requestable = false;
  }
  if (spec.prompts.includes("select_account")) {
    policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }));
  }
  return policy;
}

/** The prompts the consent page settles: who signs in, and that they agree. */
const PAGE_PROMPTS: readonly PromptName[] = ["select_account", "consent"];

/** Neither Google nor Apple sends RFC 9207's `iss` in the authorization response. */
function withoutIss(payload: Record<string, string>): Record<string, string> {
  const rest = { ...payload };
  delete rest.iss;
  return rest;
}

function attribute(value: string): string {
  // JSON values go in single quotes so they read exactly like Apple's page: value='{"name":…}'.
  if (value.includes('"') && !value.includes("'")) {
    return `'${value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")}'`;
  }
  return `"${escapeHtml(value)}"`;
}

export function renderAutoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input name=${name} value=${attribute(value)}>`)
    .join("");
  return `<form method=post action="${escapeHtml(action)}">${inputs}</form><script>document.forms[0].submit()</script>`;
}

function redirectMode(placement: "query" | "fragment"): ResponseModeHandler {
  return (ctx, redirectUri, payload) => {
    const url = new URL(redirectUri);
    const fields = withoutIss(payload);
    if (placement === "query") {
      for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, value);
    } else {
      url.hash = new URLSearchParams(fields).toString();
    }
    ctx.status = 302;
    ctx.set("Location", url.href);
    ctx.body = "";
    ctx.remove("Content-Type");
  };
}

function emulatorProviderClass(modes: Record<string, ResponseModeHandler>): typeof Provider {
  // oidc-provider registers its built-in response modes from inside its constructor and never lets a
  // later registration replace one, so the replacement has to happen in this override.
  return class EmulatorProvider extends Provider {
    registerResponseMode(name: string, handler: ResponseModeHandler): void {
      super.registerResponseMode(name, modes[name] ?? handler);
    }
  };
}

async function renderError(ctx: KoaContextWithOIDC, out: Record<string, string>): Promise<void> {
  const rows = Object.entries(out)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
    .join("");
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error (emulator)</title></head><body><main><h1>Sign-in error (emulator)</h1><dl>${rows}</dl></main></body></html>`;
  ctx.set("Content-Type", "text/html; charset=utf-8");
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const { spec, issuer, client, redirectUris, signingKey, directory } = options;
  const mountPath = new URL(issuer).pathname.replace(/\/$/, "");
  const accounts = new Map<string, Identity>();

  const signIn = (identity: Identity): string => {
    const sub = subjectFor(spec.kind, identity.email);
    accounts.set(sub, identity);
    return sub;
  };

  const modes: Record<string, ResponseModeHandler> = {
    query: redirectMode("query"),
    fragment: redirectMode("fragment"),
    form_post: (ctx, action, payload) => {
      const fields = withoutIss(payload);
      ctx.body = renderAutoPostForm(action, spec.formPostFields ? spec.formPostFields(ctx, fields, accounts) : fields);
      ctx.status = 200;
      ctx.set("Content-Type", "text/html");
    },
  };

  const cancelError = () =>
    spec.cancel.error === "access_denied"
      ? new errors.AccessDenied(spec.cancel.error_description)
      : new errors.CustomOIDCProviderError(spec.cancel.error, spec.cancel.error_description);

  // Runs on every authorization request after the client, redirect_uri, prompt and scope checks and before
  // the session and grant are loaded: login_hint (and the cancel shortcuts) act here, so no page is shown.
  // The hint stands for the person's answer on the page: it picks the account and agrees, which settles
  // prompt=select_account and prompt=consent; with prompt=none it plays a browser already signed in to
  // that account, so the request succeeds instead of answering login_required.
  async function loginHintShortcut(ctx: KoaContextWithOIDC): Promise<void> {
    const { params, client: oidcClient, session } = ctx.oidc;
    const hint = params.login_hint?.trim();
    if (params.prompt_action === "cancel" || hint === "cancel") throw cancelError();
    if (!hint) return;
    const email = normalizeEmail(hint);
    if (!isEmail(email)) throw new errors.InvalidRequest('login_hint must be an email address or "cancel"');
    const sub = signIn(directory.resolve(email));
    session.loginAccount({ accountId: sub, transient: true });
    const grant = new ctx.oidc.provider.Grant({ accountId: sub, clientId: oidcClient.clientId });
    if (params.scope) grant.addOIDCScope(params.scope);
    session.grantIdFor(oidcClient.clientId, await grant.save());
    const unsettled = (params.prompt ?? "").split(" ").filter((p) => p && !(PAGE_PROMPTS as string[]).includes(p));
    params.prompt = unsettled.length > 0 ? unsettled.join(" ") : undefined;
  }

  const extraParams: Record<string, (ctx: KoaContextWithOIDC, value: string | undefined) => void | Promise<void>> = {
    prompt_action: loginHintShortcut,
  };
  for (const [name, check] of Object.entries(spec.extraParams)) {
    extraParams[name] = (_ctx, value) => {
      const problem = value === undefined ? null : check(value);
      if (problem !== null) throw new errors.InvalidRequest(problem);
    };
  }

  const ProviderClass = emulatorProviderClass(modes);
  const provider = new ProviderClass(issuer, {
    adapter: createMemoryAdapterFactory(),
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: spec.refreshTokens || spec.offlineAccess ? ["authorization_code", "refresh_token"] : ["authorization_code"],
        // client_secret_post is accepted too: oidc-provider treats the two secret methods as one.
        token_endpoint_auth_method: "client_secret_basic",
        id_token_signed_response_alg: "RS256",
        ...(spec.requireAuthTime ? { require_auth_time: true } : {}),
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: {
      keys: [randomBytes(32).toString("hex")],
      // Both issuers share one origin; distinct names keep their cookies apart.
      names: {
        session: `_${spec.kind}_session`,
        interaction: `_${spec.kind}_interaction`,
        resume: `_${spec.kind}_interaction_resume`,
      },
    },
    claims: structuredClone(spec.scopeClaims),
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const identity = accounts.get(sub);
      if (!identity) return undefined;
      return { accountId: sub, claims: async () => spec.accountClaims(sub, identity) };
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: spec.userinfo },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    interactions: {
      policy: interactionPolicyFor(spec),
      url: async (_ctx: unknown, interaction: { uid: string }) => `${mountPath}/interaction/${interaction.uid}`,
    },
    extraParams,
    pkce: { required: () => false },
    responseTypes: ["code"],
    routes: { authorization: "/authorize", token: "/token", userinfo: "/userinfo", jwks: "/jwks" },
    // An offline code (access_type=offline) is the only one not bound to the (transient) browser session;
    // its refresh token is what makes it offline.
    expiresWithSession: async (ctx: KoaContextWithOIDC) => !(spec.offlineAccess && ctx.oidc.params.access_type === "offline"),
    issueRefreshToken: async (
      _ctx: unknown,
      oidcClient: { grantTypeAllowed(type: string): boolean },
      code: { expiresWithSession?: boolean },
    ) => oidcClient.grantTypeAllowed("refresh_token") && (spec.refreshTokens || (spec.offlineAccess && code.expiresWithSession !== true)),
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 30 * 24 * 3600,
    },
    renderError,
  });
  provider.proxy = false;

  const sessionCookie = new RegExp(`^_${spec.kind}_session(?:\\.sig)?=`);
  provider.use(async (ctx, next) => {
    await next();
    // The browser never keeps a session: every sign-in picks its identity afresh, and oidc-provider would
    // otherwise answer a sign-in as someone else with a logout confirmation (an endpoint that is off here).
    const header = ctx.response.get("Set-Cookie");
    if (header === undefined) return;
    const cookies = Array.isArray(header) ? header : [header];
    const kept = cookies.filter((cookie) => !sessionCookie.test(cookie));
    if (kept.length === cookies.length) return;
    if (kept.length) ctx.set("Set-Cookie", kept);
    else ctx.remove("Set-Cookie");
  });

  provider.on("server_error", (_ctx, error) => {
    console.error(`idp ${spec.kind}: server error`, error);
  });

  return { spec, provider, mountPath, client, directory, accounts, signIn };
}
