import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const migrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url));

// Any fixed number works as long as every migrator of this schema uses the same one.
const MIGRATION_LOCK_KEY = 0x5ba5e_a17;

/**
 * Applies the Auth server's own schema migrations (`stack/auth/migrations/*.sql`) in order, once each,
 * recorded in `auth.schema_migrations` like Supabase Auth does. Safe to call concurrently: an advisory
 * lock serialises migrators. Connect as `supabase_auth_admin`, which owns the `auth` schema.
 */
export async function migrateAuth(authAdminUrl: string): Promise<string[]> {
  const sql = postgres(authAdminUrl, { max: 1, onnotice: () => {} });
  const applied: string[] = [];
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await sql`create table if not exists auth.schema_migrations (version varchar(255) primary key)`;
    const done = new Set(
      (await sql<{ version: string }[]>`select version from auth.schema_migrations`).map((r) => r.version),
    );
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
    for (const file of files) {
      const version = file.split("_")[0] ?? file;
      if (done.has(version)) continue;
      const text = await readFile(migrationsDir + file, "utf8");
      await sql.begin(async (tx) => {
        await tx.unsafe(text);
        await tx`insert into auth.schema_migrations (version) values (${version})`;
      });
      applied.push(file);
    }
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return applied;
}
