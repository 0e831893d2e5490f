import { readFile } from "node:fs/promises";
import postgres from "postgres";

const bootstrapFile = new URL("./bootstrap.sql", import.meta.url);

/**
 * Gives the database behind `superuserUrl` the roles, schemas and grants of a Supabase database.
 * Idempotent; roles are shared by the whole cluster, the rest is per database.
 */
export async function bootstrapDatabase(superuserUrl: string): Promise<void> {
  const text = await readFile(bootstrapFile, "utf8");
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    // One simple-protocol query: the server runs it as a single implicit transaction.
    await sql.unsafe(text);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
