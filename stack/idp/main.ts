import { readIdpEnv } from "./config.ts";
import { loadSeededIdentities } from "./identities.ts";
import { startIdp } from "./server.ts";

async function main(): Promise<void> {
  const env = readIdpEnv(process.env);
  const idp = await startIdp({
    port: env.port,
    ...(env.issuerBase ? { issuerBase: env.issuerBase } : {}),
    google: env.google,
    apple: env.apple,
    redirectUris: env.redirectUris,
    stateFile: env.stateFile,
    identities: await loadSeededIdentities(env.identitiesFile),
    defaultNames: env.defaultNames,
  });
  console.log(`idp: listening on ${idp.origin} — google ${idp.issuers.google}, apple ${idp.issuers.apple}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    idp.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`idp: error while stopping on ${signal}`, error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && error.message.startsWith("idp:") ? error.message : error);
  process.exit(1);
});
