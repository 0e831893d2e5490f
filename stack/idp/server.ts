import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { appleSpec } from "./apple.ts";
import { parseConsentForm, renderConsentPage, escapeHtml } from "./consent-page.ts";
import { googleSpec, googleUserinfo } from "./google.ts";
import { createIdentityDirectory, type Identity, type ProviderKind } from "./identities.ts";
import { loadOrCreateSigningKeys } from "./keys.ts";
import { authorizeParamsFor, createEmulator, type ClientCredentials, type Emulator } from "./provider.ts";
import { openStateStore, type StateStore } from "./state.ts";

export const IDP_HOST = "127.0.0.1";

export type IdpOptions = {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to http://127.0.0.1:<port>; the issuers are <base>/google and <base>/apple. */
  issuerBase?: string;
  google: ClientCredentials;
  apple: ClientCredentials;
  redirectUris: string[];
  stateFile: string;
  /** Defaults to signing-keys.json next to the state file. */
  keysFile?: string;
  identities: readonly Identity[];
  /** Display name of identities that are not seeded, per provider (unset: made from the email). */
  defaultNames?: Partial<Record<ProviderKind, string>>;
};

export type RunningIdp = {
  port: number;
  origin: string;
  issuers: Record<ProviderKind, string>;
  state: StateStore;
  close(): Promise<void>;
};

const MAX_FORM_BYTES = 16 * 1024;

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), headers);
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  send(res, status, "text/html; charset=utf-8", body);
}

function messagePage(title: string, message: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function handleInteraction(emulator: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { provider, spec } = emulator;
  if (req.method !== "GET" && req.method !== "POST") {
    send(res, 405, "text/plain; charset=utf-8", "method not allowed", { Allow: "GET, POST" });
    return;
  }
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(res, 400, messagePage(spec.title, "This sign-in request has expired or is unknown. Start again from the application."));
    return;
  }
  if (url.pathname !== `${emulator.mountPath}/interaction/${details.uid}`) {
    sendHtml(res, 400, messagePage(spec.title, "This sign-in request does not match the current one. Start again from the application."));
    return;
  }
  const clientId = details.params.client_id ?? "";
  const page = (status: number, extra: { error?: string; email?: string; name?: string } = {}) =>
    sendHtml(
      res,
      status,
      renderConsentPage({
        title: spec.title,
        action: url.pathname,
        clientId,
        identities: emulator.directory.seeded,
        ...(details.params.prompt ? { prompt: details.params.prompt } : {}),
        ...extra,
      }),
    );

  if (req.method === "GET") {
    page(200);
    return;
  }
  const form = await readForm(req);
  if (form === null) {
    send(res, 413, "text/plain; charset=utf-8", "form too large");
    return;
  }
  const choice = parseConsentForm(form);
  if (choice.kind === "cancel") {
    await provider.interactionFinished(req, res, spec.cancel, { mergeWithLastSubmission: false });
    return;
  }
  if (choice.kind === "invalid") {
    page(400, { error: choice.message, email: choice.email, name: choice.name });
    return;
  }
  const sub = emulator.signIn(emulator.directory.resolve(choice.email, choice.name));
  const grant = new provider.Grant({ accountId: sub, clientId });
  if (details.params.scope) grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  // The page answers every prompt it can be shown for: login, the account chosen, consent.
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: sub, remember: false }, consent: { grantId }, select_account: {} },
    { mergeWithLastSubmission: false },
  );
}

async function handleGoogleUserinfo(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "POST") {
    sendJson(res, 405, { error: "invalid_request", error_description: "method not allowed" }, { Allow: "GET, POST" });
    return;
  }
  const challenge = (error: string) => `Bearer realm="${emulator.provider.issuer}", error="${error}"`;
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!match?.[1]) {
    sendJson(res, 401, { error: "invalid_request", error_description: "missing access token" }, {
      "WWW-Authenticate": `Bearer realm="${emulator.provider.issuer}"`,
    });
    return;
  }
  let token;
  try {
    token = await emulator.provider.AccessToken.find(match[1]);
  } catch {
    token = undefined;
  }
  const identity = token ? emulator.accounts.get(token.accountId) : undefined;
  if (!token || token.isExpired || token.clientId !== emulator.client.clientId || !identity) {
    sendJson(res, 401, { error: "invalid_token", error_description: "invalid or expired access token" }, {
      "WWW-Authenticate": challenge("invalid_token"),
    });
    return;
  }
  sendJson(res, 200, googleUserinfo(token.accountId, identity, token.scopes));
}

export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  if (process.env.NODE_ENV === "production") {
    throw new Error("the Google/Apple emulators are for development and tests only; refusing to start with NODE_ENV=production");
  }
  if (options.redirectUris.length === 0) throw new Error("at least one redirect URI is required");

  const state = await openStateStore(options.stateFile);
  const keys = await loadOrCreateSigningKeys(options.keysFile ?? join(dirname(options.stateFile), "signing-keys.json"));
  const emulators = new Map<string, { emulator: Emulator; callback: (req: IncomingMessage, res: ServerResponse) => Promise<void> }>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", `http://${IDP_HOST}`);
    if (url.pathname === "/" || url.pathname === "/health") {
      sendJson(res, 200, { status: "ok", issuers: Object.fromEntries([...emulators].map(([k, e]) => [k, e.emulator.provider.issuer])) });
      return;
    }
    const segment = url.pathname.split("/")[1] ?? "";
    const mounted = emulators.get(segment);
    if (!mounted) {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    const { emulator, callback } = mounted;
    const subPath = url.pathname.slice(segment.length + 1) || "/";
    if (subPath.startsWith("/interaction/")) {
      await handleInteraction(emulator, req, res, url);
      return;
    }
    if (emulator.spec.kind === "google" && subPath === "/userinfo") {
      await handleGoogleUserinfo(emulator, req, res);
      return;
    }
    let search = url.search;
    if (subPath === "/authorize") {
      if (req.method === "GET") {
        search = `?${authorizeParamsFor(emulator.spec, url.searchParams).toString()}`;
      } else if (req.method === "POST" && /^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")) {
        const form = await readForm(req);
        if (form === null) {
          send(res, 413, "text/plain; charset=utf-8", "form too large");
          return;
        }
        // The body is consumed here, so oidc-provider receives the same request as a GET (which it treats alike).
        search = `?${authorizeParamsFor(emulator.spec, form).toString()}`;
        req.method = "GET";
        delete req.headers["content-type"];
        delete req.headers["content-length"];
      }
    }
    // oidc-provider derives its mount path from originalUrl minus url, as under Express.
    const rewritten = req as IncomingMessage & { originalUrl?: string };
    rewritten.url = `${subPath}${search}`;
    rewritten.originalUrl = `${emulator.mountPath}${rewritten.url}`;
    await callback(req, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("idp: request failed", error);
      if (!res.headersSent) sendJson(res, 500, { error: "server_error" });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error) => {
      reject(new Error(`idp: cannot listen on ${IDP_HOST}:${options.port}: ${cause.message}`, { cause }));
    };
    server.once("error", onError);
    server.listen(options.port, IDP_HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${IDP_HOST}:${port}`;
  const base = (options.issuerBase ?? origin).replace(/\/+$/, "");

  const specs = { google: googleSpec, apple: appleSpec(state) };
  for (const kind of ["google", "apple"] as const) {
    const emulator = createEmulator({
      spec: specs[kind],
      issuer: `${base}/${kind}`,
      client: options[kind],
      redirectUris: options.redirectUris,
      signingKey: keys[kind],
      directory: createIdentityDirectory(options.identities, options.defaultNames?.[kind]),
    });
    emulators.set(kind, { emulator, callback: emulator.provider.callback() });
  }

  return {
    port,
    origin,
    issuers: { google: `${base}/google`, apple: `${base}/apple` },
    state,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await state.flush();
    },
  };
}
