import type { Sql } from "postgres";
import type { Diff } from "./compare.ts";

/** `14-auth-schema-facts.json`: columns of the main auth tables, the auth enums, the auth.* helper functions. */
export type SchemaFacts = {
  tables: Record<string, ColumnFact[]>;
  enums: Record<string, string[]>;
  functions: FunctionFact[];
};

export type ColumnFact = {
  name: string;
  data_type: string;
  udt_name: string;
  nullable: boolean;
  generated: boolean;
  identity: boolean;
};

export type FunctionFact = {
  name: string;
  arguments: string;
  returns: string;
  language: string;
  volatility: string;
  security_definer: boolean;
  /** Settings read in order, the first non-empty wins: `request.jwt.claim.sub`, `request.jwt.claims ->> 'sub'`. */
  reads_first_non_empty: string[];
};

const VOLATILITY: Record<string, string> = { i: "immutable", s: "stable", v: "volatile" };

/**
 * Compares the `auth` schema of the contract database (after the local server's migrations) with the facts
 * recorded from Supabase Auth: every column with its type, nullability, generated and identity flags (no
 * missing or extra columns), the enums and their labels in order, and the helper functions — their
 * signatures, and what they read (checked by calling them under each setting).
 */
export async function checkSchemaFacts(file: string, facts: SchemaFacts, sql: Sql): Promise<Diff[]> {
  const diffs: Diff[] = [];
  const add = (step: number, stepName: string, path: string, message: string, expected?: unknown, actual?: unknown) =>
    diffs.push({ file, step, stepName, path, message, expected, actual });

  const columns = await sql<
    { table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; is_generated: string; is_identity: string }[]
  >`select table_name, column_name, data_type, udt_name, is_nullable, is_generated, is_identity
      from information_schema.columns where table_schema = 'auth' order by table_name, ordinal_position`;
  for (const [table, expectedColumns] of Object.entries(facts.tables)) {
    const actual = columns.filter((c) => c.table_name === table);
    if (actual.length === 0) {
      add(0, "tables", `tables.${table}`, `table auth.${table} does not exist`);
      continue;
    }
    for (const col of expectedColumns) {
      const a = actual.find((c) => c.column_name === col.name);
      const path = `tables.${table}.${col.name}`;
      if (!a) {
        add(0, "tables", path, `missing column (expected ${col.data_type}${col.nullable ? "" : " not null"})`, col);
        continue;
      }
      const got = {
        data_type: a.data_type,
        udt_name: a.udt_name,
        nullable: a.is_nullable === "YES",
        generated: a.is_generated === "ALWAYS",
        identity: a.is_identity === "YES",
      };
      for (const key of ["data_type", "udt_name", "nullable", "generated", "identity"] as const) {
        if (got[key] !== col[key]) add(0, "tables", `${path}.${key}`, `expected ${JSON.stringify(col[key])}, got ${JSON.stringify(got[key])}`, col[key], got[key]);
      }
    }
    for (const a of actual) {
      if (!expectedColumns.some((c) => c.name === a.column_name)) {
        add(0, "tables", `tables.${table}.${a.column_name}`, `unexpected column (${a.data_type})`, undefined, a.column_name);
      }
    }
  }

  const enums = await sql<{ name: string; labels: string[] }[]>`
    select t.typname as name, array_agg(e.enumlabel order by e.enumsortorder) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = 'auth' group by t.typname`;
  for (const [name, labels] of Object.entries(facts.enums)) {
    const a = enums.find((e) => e.name === name);
    if (!a) add(1, "enums", `enums.${name}`, `enum auth.${name} does not exist`, labels);
    else if (JSON.stringify(a.labels) !== JSON.stringify(labels)) {
      add(1, "enums", `enums.${name}`, `expected labels ${JSON.stringify(labels)}, got ${JSON.stringify(a.labels)}`, labels, a.labels);
    }
  }

  for (const fn of facts.functions) {
    const [schema, name] = fn.name.split(".") as [string, string];
    const rows = await sql<{ args: string; returns: string; language: string; volatility: string; secdef: boolean }[]>`
      select pg_get_function_arguments(p.oid) as args, pg_get_function_result(p.oid) as returns,
             l.lanname as language, p.provolatile as volatility, p.prosecdef as secdef
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
       where n.nspname = ${schema} and p.proname = ${name}`;
    const path = `functions.${fn.name}`;
    const row = rows.find((r) => r.args === fn.arguments);
    if (!row) {
      add(2, "functions", path, `function ${fn.name}(${fn.arguments}) does not exist`, fn);
      continue;
    }
    const got = { returns: row.returns, language: row.language, volatility: VOLATILITY[row.volatility], security_definer: row.secdef };
    for (const key of ["returns", "language", "volatility", "security_definer"] as const) {
      if (got[key] !== fn[key]) add(2, "functions", `${path}.${key}`, `expected ${JSON.stringify(fn[key])}, got ${JSON.stringify(got[key])}`, fn[key], got[key]);
    }
    const problem = await checkReads(sql, fn);
    if (problem) add(2, "functions", `${path}.reads_first_non_empty`, problem, fn.reads_first_non_empty);
  }
  return diffs;
}

type Source = { setting: string; key?: string };

function parseSource(text: string): Source {
  const m = /^([A-Za-z0-9_.]+)(?:\s*->>\s*'([^']+)')?$/.exec(text.trim());
  if (!m) throw new Error(`unsupported source ${text}`);
  return m[2] ? { setting: m[1] as string, key: m[2] } : { setting: m[1] as string };
}

/** Calls the function with only the first, only the second, both, and an empty first source set. */
async function checkReads(sql: Sql, fn: FunctionFact): Promise<string | null> {
  if (fn.reads_first_non_empty.length !== 2) return null;
  const [first, second] = fn.reads_first_non_empty.map(parseSource) as [Source, Source];
  const isJson = fn.returns === "jsonb" || fn.returns === "json";
  const sample = (tag: string) =>
    fn.returns === "uuid"
      ? tag === "a" ? "00000000-0000-4000-8000-00000000000a" : "00000000-0000-4000-8000-00000000000b"
      : isJson ? JSON.stringify({ tag }) : `value-${tag}`;
  const settingValue = (source: Source, value: string) => (source.key ? JSON.stringify({ [source.key]: isJson ? JSON.parse(value) : value }) : value);
  const cases: { name: string; first?: string; second?: string; want: string }[] = [
    { name: "only the first source set", first: sample("a"), want: sample("a") },
    { name: "only the second source set", second: sample("b"), want: sample("b") },
    { name: "both set", first: sample("a"), second: sample("b"), want: sample("a") },
    { name: "the first empty", first: "", second: sample("b"), want: sample("b") },
  ];
  for (const c of cases) {
    let got: unknown;
    try {
      got = await sql.begin(async (tx) => {
        if (first.setting === second.setting) throw new Error("both sources read the same setting");
        await tx`select set_config(${first.setting}, ${c.first === undefined || c.first === "" ? (c.first ?? "") : settingValue(first, c.first)}, true)`;
        await tx`select set_config(${second.setting}, ${c.second === undefined ? "" : settingValue(second, c.second)}, true)`;
        const [row] = await tx.unsafe(`select ${fn.name}()::text as v`);
        return (row as unknown as { v: string | null }).v;
      });
    } catch (error) {
      return `calling ${fn.name}() failed (${c.name}): ${(error as Error).message}`;
    }
    const normalize = (v: unknown) => (isJson && typeof v === "string" ? JSON.stringify(JSON.parse(v)) : v);
    if (normalize(got) !== normalize(c.want)) {
      return `with ${c.name} (${fn.reads_first_non_empty.join(" then ")}) expected ${JSON.stringify(c.want)}, got ${JSON.stringify(got)}`;
    }
  }
  return null;
}
