import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import postgres from "postgres";
import { loadAuthMigrations } from "../auth-modules.ts";
import { StackError, type Logger } from "../log.ts";
import type { StackPaths } from "../paths.ts";
import { lineAt, splitSql, type SqlStatement } from "./split-sql.ts";

// Same file names, history table and seed bookkeeping as the Supabase CLI, so that the
// supabase/ folder behaves the same under `supabase start` / `supabase db push`.
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/;

export type MigrationFile = { version: string; name: string; file: string };

export function listMigrationFiles(names: string[]): { migrations: MigrationFile[]; skipped: string[] } {
  const migrations: MigrationFile[] = [];
  const skipped: string[] = [];
  for (const file of [...names].sort()) {
    if (!file.endsWith(".sql")) continue;
    const match = MIGRATION_FILE.exec(file);
    if (match) migrations.push({ version: match[1]!, name: match[2]!, file });
    else skipped.push(file);
  }
  return { migrations, skipped };
}

type PgError = Error & { code?: string; position?: string; detail?: string; hint?: string; where?: string };

/** The failing statement in its file, with the line the server's error position points at. */
export function describeSqlFailure(
  fileLabel: string,
  source: string,
  statement: SqlStatement,
  index: number,
  count: number,
  error: PgError,
): StackError {
  const position = Number(error.position ?? 0);
  const at = lineAt(source, statement.offset + Math.max(0, position - 1));
  const start = lineAt(source, statement.offset);
  const lines = source.split("\n");
  const excerpt: string[] = [];
  const first = position > 0 ? Math.max(start.line, at.line - 2) : start.line;
  const last = position > 0 ? at.line : Math.min(lines.length, start.line + 4);
  const width = String(last).length;
  for (let n = first; n <= last; n++) excerpt.push(`  ${String(n).padStart(width)} | ${lines[n - 1] ?? ""}`);
  if (position > 0) excerpt.push(`  ${" ".repeat(width)} | ${" ".repeat(at.column - 1)}^`);
  const where = position > 0 ? `line ${at.line}` : `the statement starting at line ${start.line}`;
  const details = [
    `  ERROR${error.code ? ` ${error.code}` : ""}: ${error.message}`,
    error.detail ? `  DETAIL: ${error.detail}` : "",
    error.hint ? `  HINT: ${error.hint}` : "",
    error.where ? `  CONTEXT: ${error.where}` : "",
    ...excerpt,
  ].filter(Boolean);
  return new StackError(`${fileLabel} failed at ${where} (statement ${index + 1} of ${count})`, {
    details: details.join("\n"),
    fix: `correct ${fileLabel} and run \`npm run stack -- start\` again (nothing of it was applied)`,
  });
}

type Sql = postgres.Sql;

async function runFile(
  sql: Sql,
  label: string,
  source: string,
  record: (tx: postgres.TransactionSql, statements: string[]) => Promise<unknown>,
): Promise<number> {
  const statements = splitSql(source);
  await sql.begin(async (tx) => {
    for (const [index, statement] of statements.entries()) {
      try {
        await tx.unsafe(statement.text);
      } catch (error) {
        throw describeSqlFailure(label, source, statement, index, statements.length, error as PgError);
      }
    }
    await record(
      tx,
      statements.map((s) => s.text),
    );
  });
  return statements.length;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export type MigrateOptions = { paths: StackPaths; superuserUrl: string; authAdminUrl: string; log: Logger };

/**
 * The Auth server's schema first, then supabase/migrations/*.sql in file name order (each in its own
 * transaction, recorded in supabase_migrations.schema_migrations and skipped once recorded), then
 * supabase/seed.sql once per database: when it was just created or reset.
 */
export async function migrateDatabase({ paths, superuserUrl, authAdminUrl, log }: MigrateOptions): Promise<void> {
  const { migrateAuth } = await loadAuthMigrations();
  log.step("Applying the Auth server's schema migrations");
  const authApplied: unknown = await migrateAuth(authAdminUrl);
  if (Array.isArray(authApplied) && authApplied.length > 0) {
    log.ok(`Applied ${authApplied.length} Auth schema migration${authApplied.length === 1 ? "" : "s"}`);
  }

  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(`
      set lock_timeout = '4s';
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations add column if not exists statements text[];
      alter table supabase_migrations.schema_migrations add column if not exists name text;
      create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);
      reset lock_timeout;
    `);
    const applied = new Set(
      (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`).map((r) => r.version),
    );
    let names: string[] = [];
    try {
      names = await readdir(paths.migrationsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const { migrations, skipped } = listMigrationFiles(names);
    for (const file of skipped) {
      log.warn(`skipping supabase/migrations/${file}: names must look like <timestamp>_name.sql`);
    }
    const pending = migrations.filter((m) => !applied.has(m.version));
    if (pending.length === 0) {
      log.ok(`Migrations up to date (${migrations.length} applied)`);
    }
    for (const migration of pending) {
      const label = relative(paths.root, join(paths.migrationsDir, migration.file));
      const source = await readFile(join(paths.migrationsDir, migration.file), "utf8");
      const count = await runFile(sql, label, source, (tx, statements) =>
        tx`insert into supabase_migrations.schema_migrations (version, name, statements)
           values (${migration.version}, ${migration.name}, ${statements})`,
      );
      log.ok(`Applied ${label} (${count} statement${count === 1 ? "" : "s"})`);
    }

    const seedLabel = relative(paths.root, paths.seedFile);
    const seed = await readOptional(paths.seedFile);
    if (seed !== null) {
      const hash = createHash("sha256").update(seed).digest("hex");
      const [recorded] = await sql<{ hash: string }[]>`
        select hash from supabase_migrations.seed_files where path = ${seedLabel}`;
      if (!recorded) {
        await runFile(sql, seedLabel, seed, (tx) =>
          tx`insert into supabase_migrations.seed_files (path, hash) values (${seedLabel}, ${hash})`,
        );
        log.ok(`Seeded the database from ${seedLabel}`);
      } else if (recorded.hash !== hash) {
        log.warn(`${seedLabel} changed since it was applied: \`npm run stack -- reset\` re-seeds the database`);
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
