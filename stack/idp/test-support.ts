import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSeededIdentities, type Identity, type ProviderKind } from "./identities.ts";
import { startIdp, type RunningIdp } from "./server.ts";

export const GOOGLE = { clientId: "spike-google-client", clientSecret: "google-test-secret" };
export const APPLE = { clientId: "spike.apple.client", clientSecret: "apple-test-secret" };
export const REDIRECT_URI = "http://127.0.0.1:59999/callback";
export const SEEDED_IDENTITIES_FILE = join(import.meta.dirname, "identities.json");

export type TestIdp = RunningIdp & { dir: string; stateFile: string; remove(): Promise<void> };

export async function makeStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "idp-test-"));
}

export async function startTestIdp(
  options: { dir?: string; identities?: readonly Identity[]; defaultNames?: Partial<Record<ProviderKind, string>> } = {},
): Promise<TestIdp> {
  const dir = options.dir ?? (await makeStateDir());
  const stateFile = join(dir, "state.json");
  const idp = await startIdp({
    port: 0,
    google: GOOGLE,
    apple: APPLE,
    redirectUris: [REDIRECT_URI, "http://localhost:3000/other-callback"],
    stateFile,
    identities: options.identities ?? (await loadSeededIdentities(SEEDED_IDENTITIES_FILE)),
    ...(options.defaultNames ? { defaultNames: options.defaultNames } : {}),
  });
  return {
    ...idp,
    dir,
    stateFile,
    async remove() {
      await idp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function authorizeUrl(idp: RunningIdp, kind: ProviderKind, params: Record<string, string>): string {
  const url = new URL(`${idp.issuers[kind]}/authorize`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** Exactly what the Auth server sends to Google (extra `redirect_to` included). */
export function googleParams(extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: GOOGLE.clientId,
    redirect_to: "http://localhost:3000/auth/callback",
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "email profile",
    state: crypto.randomUUID(),
    ...extra,
  };
}

/** Exactly what the Auth server sends to Apple. */
export function appleParams(extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: APPLE.clientId,
    redirect_uri: REDIRECT_URI,
    response_mode: "form_post",
    response_type: "code",
    scope: "email name",
    state: crypto.randomUUID(),
    ...extra,
  };
}

/** Cookies by name; paths are ignored (every test request stays on the emulator's origin). */
export class CookieJar {
  #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const i = pair.indexOf("=");
      if (i > 0) this.#cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size) headers.set("Cookie", this.header());
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(response);
    return response;
  }
}

export function decodeEntities(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** Reads the emulator's auto-submitting form: `<form method=post action="…"><input name=… value=…>…`. */
export function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form method=post action="([^"]*)">/.exec(html);
  if (!form?.[1]) throw new Error(`not an auto-submitting form: ${html}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input name=(\w+) value=(?:"([^"]*)"|'([^']*)')>/g)) {
    fields[match[1] ?? ""] = decodeEntities(match[2] ?? match[3] ?? "");
  }
  return { action: decodeEntities(form[1]), fields };
}

export function locationParams(response: Response): { base: string; params: Record<string, string> } {
  const location = response.headers.get("location");
  if (!location) throw new Error(`no Location header (status ${response.status})`);
  const url = new URL(location);
  const params = Object.fromEntries(url.searchParams);
  url.search = "";
  return { base: url.href, params };
}

export async function exchangeCode(
  idp: RunningIdp,
  kind: ProviderKind,
  code: string,
  options: { method?: "basic" | "post"; secret?: string; redirectUri?: string; codeVerifier?: string } = {},
): Promise<Response> {
  const client = kind === "google" ? GOOGLE : APPLE;
  const secret = options.secret ?? client.clientSecret;
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
  });
  if (options.codeVerifier) body.set("code_verifier", options.codeVerifier);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (options.method === "basic") {
    const user = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString("base64")}`;
  } else {
    body.set("client_id", client.clientId);
    body.set("client_secret", secret);
  }
  return fetch(`${idp.issuers[kind]}/token`, { method: "POST", headers, body });
}

export async function discovery(idp: RunningIdp, kind: ProviderKind): Promise<Record<string, unknown>> {
  const response = await fetch(`${idp.issuers[kind]}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`discovery failed: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Runs the consent page: authorize without login_hint, load the page, submit `form`, follow to the client. */
export async function signInThroughPage(
  idp: RunningIdp,
  kind: ProviderKind,
  params: Record<string, string>,
  form: Record<string, string>,
): Promise<{ page: string; final: Response }> {
  const jar = new CookieJar();
  const start = await jar.fetch(authorizeUrl(idp, kind, params));
  if (start.status !== 303) throw new Error(`expected a redirect to the consent page, got ${start.status}`);
  const pageUrl = new URL(start.headers.get("location") ?? "", idp.origin).href;
  const pageResponse = await jar.fetch(pageUrl);
  if (pageResponse.status !== 200) throw new Error(`consent page answered ${pageResponse.status}`);
  const page = await pageResponse.text();
  const submitted = await jar.fetch(pageUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  if (submitted.status !== 303) throw new Error(`consent form answered ${submitted.status}: ${await submitted.text()}`);
  const final = await jar.fetch(new URL(submitted.headers.get("location") ?? "", idp.origin).href);
  return { page, final };
}
