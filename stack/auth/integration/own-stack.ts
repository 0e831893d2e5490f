import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import { APPLE_CLIENT_ID, GOOGLE_CLIENT_ID } from "../../env.ts";
import { loadSeededIdentities } from "../../idp/identities.ts";
import { startIdp, type RunningIdp } from "../../idp/server.ts";
import type { App } from "../app.ts";
import { loadConfig } from "../config.ts";
import { ensureSigningKeys } from "../keys.ts";
import { createApp, createAuthServer } from "../server.ts";
import { localStack } from "./flows.ts";

/**
 * An Auth server and the Google/Apple emulators of this checkout, started inside the test process on free
 * ports: the local stack's database (its `auth` schema, as the running Auth server uses it), the settings of
 * supabase/config.toml, the stack's API keys, and a signing key of its own. Tests of the OAuth redirects use
 * it so that they exercise the code under test, whichever version the running stack was started with.
 */
export type OwnStack = {
  /** `http://127.0.0.1:<port>/auth/v1` */
  authBase: string;
  anonKey: string;
  idp: RunningIdp;
  close(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

export async function startOwnStack(): Promise<OwnStack> {
  const { paths, secrets, urls } = localStack();
  const dir = await mkdtemp(join(tmpdir(), "own-stack-"));
  const authPort = await freePort();
  const authBase = `http://127.0.0.1:${authPort}/auth/v1`;
  let idp: RunningIdp | undefined;
  let app: App | undefined;
  let server: Server | undefined;
  const close = async () => {
    if (server) {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server.closeAllConnections();
    }
    app?.keys.stop();
    await app?.sql.end({ timeout: 2 });
    await idp?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    idp = await startIdp({
      port: 0,
      google: { clientId: GOOGLE_CLIENT_ID, clientSecret: secrets.google_client_secret },
      apple: { clientId: APPLE_CLIENT_ID, clientSecret: secrets.apple_client_secret },
      redirectUris: [`${authBase}/callback`],
      stateFile: join(dir, "idp", "state.json"),
      identities: await loadSeededIdentities(paths.idpIdentitiesFile),
    });
    const keysFile = join(dir, "signing-keys.json");
    await ensureSigningKeys(keysFile);
    const config = loadConfig({
      AUTH_HOST: "127.0.0.1",
      AUTH_PORT: String(authPort),
      AUTH_BASE_PATH: "/auth/v1",
      AUTH_EXTERNAL_URL: authBase,
      AUTH_DATABASE_URL: urls.authAdminDb,
      AUTH_CONFIG_FILE: paths.configToml,
      AUTH_SECRETS_FILE: paths.secretsFile,
      AUTH_KEYS_FILE: keysFile,
      SUPABASE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: GOOGLE_CLIENT_ID,
      SUPABASE_AUTH_EXTERNAL_GOOGLE_SECRET: secrets.google_client_secret,
      SUPABASE_AUTH_EXTERNAL_GOOGLE_URL: idp.issuers.google,
      SUPABASE_AUTH_EXTERNAL_APPLE_CLIENT_ID: APPLE_CLIENT_ID,
      SUPABASE_AUTH_EXTERNAL_APPLE_SECRET: secrets.apple_client_secret,
      SUPABASE_AUTH_EXTERNAL_APPLE_URL: idp.issuers.apple,
    });
    app = await createApp(config);
    const listening = createAuthServer(app);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(authPort, "127.0.0.1", () => resolve());
    });
    return { authBase, anonKey: secrets.anon_key, idp, close };
  } catch (error) {
    await close();
    throw error;
  }
}
