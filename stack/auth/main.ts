import { loadConfig } from "./config.ts";
import { migrateAuth } from "./migrate.ts";
import { createApp, createAuthServer } from "./server.ts";

if (process.env.NODE_ENV === "production") {
  console.error(
    "The local Auth server is for development and tests only and refuses to run with NODE_ENV=production. " +
      "In production, use Supabase's managed Auth.",
  );
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`auth: invalid configuration: ${(error as Error).message}`);
  process.exit(1);
}
if (!["127.0.0.1", "::1", "localhost"].includes(config.host)) {
  console.error(`auth: refusing to listen on ${config.host}: the local Auth server listens on loopback only`);
  process.exit(1);
}

await migrateAuth(config.databaseUrl);
const app = await createApp(config);
const server = createAuthServer(app);
server.listen(config.port, config.host, () => {
  console.log(`auth: listening on http://${config.host}:${config.port}${config.basePath} (issuer ${config.externalUrl})`);
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  app.keys.stop();
  void app.sql.end({ timeout: 2 }).then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
