import { describe, expect, it } from "vitest";
import { describeSqlFailure, listMigrationFiles } from "./migrate.ts";
import { splitSql } from "./split-sql.ts";

describe("listMigrationFiles", () => {
  it("orders by file name and skips names the Supabase CLI would skip", () => {
    const { migrations, skipped } = listMigrationFiles([
      "20240102000000_b.sql",
      "README.md",
      "20240101000000_a_table.sql",
      "notes.sql",
    ]);
    expect(migrations).toEqual([
      { version: "20240101000000", name: "a_table", file: "20240101000000_a_table.sql" },
      { version: "20240102000000", name: "b", file: "20240102000000_b.sql" },
    ]);
    expect(skipped).toEqual(["notes.sql"]);
  });
});

describe("describeSqlFailure", () => {
  it("points at the file line of the server's error position", () => {
    const source = "create table a (id int);\n\nselect *\n  from missing_table;\n";
    const statements = splitSql(source);
    const error = Object.assign(new Error('relation "missing_table" does not exist'), { code: "42P01", position: "17" });
    const failure = describeSqlFailure("supabase/migrations/1_x.sql", source, statements[1]!, 1, 2, error);
    expect(failure.message).toBe("supabase/migrations/1_x.sql failed at line 4 (statement 2 of 2)");
    expect(failure.details).toContain('ERROR 42P01: relation "missing_table" does not exist');
    expect(failure.details).toContain("4 |   from missing_table;");
    expect(failure.details).toMatch(/\|\s{8}\^$/m);
  });

  it("shows the statement when the error has no position", () => {
    const source = "insert into t values (1);";
    const error = Object.assign(new Error("duplicate key"), { code: "23505", detail: "Key (id)=(1) already exists." });
    const failure = describeSqlFailure("supabase/seed.sql", source, splitSql(source)[0]!, 0, 1, error);
    expect(failure.message).toBe("supabase/seed.sql failed at the statement starting at line 1 (statement 1 of 1)");
    expect(failure.details).toContain("DETAIL: Key (id)=(1) already exists.");
    expect(failure.details).toContain("1 | insert into t values (1);");
  });
});
