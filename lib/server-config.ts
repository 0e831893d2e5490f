import "server-only";
import { z } from "zod";
import { ConfigError, getConfig, type AppConfig } from "./config";

const schema = z.object({
  DATABASE_URL: z
    .string({ error: "is missing" })
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// connection string" }),
  SUPABASE_SECRET_KEY: z.string({ error: "is missing" }).min(1, { error: "is empty" }),
});

export type ServerConfig = AppConfig & { databaseUrl: string; secretKey: string };

let cached: ServerConfig | null = null;

/** The server-only part of the environment (database and secret key); never imported by client code. */
export function getServerConfig(): ServerConfig {
  if (cached) return cached;
  const result = schema.safeParse({ DATABASE_URL: process.env.DATABASE_URL, SUPABASE_SECRET_KEY: process.env.SUPABASE_SECRET_KEY });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; ");
    throw new ConfigError(`Invalid environment: ${problems}.`);
  }
  cached = { ...getConfig(), databaseUrl: result.data.DATABASE_URL, secretKey: result.data.SUPABASE_SECRET_KEY };
  return cached;
}
