import { describe, expect, it } from "vitest";
import { lineAt, splitSql } from "./split-sql.ts";

const texts = (sql: string) => splitSql(sql).map((s) => s.text);

describe("splitSql", () => {
  it("splits on top-level semicolons and drops empty statements", () => {
    expect(texts("select 1;\n\nselect 2 ;;\n -- only a comment\n")).toEqual(["select 1", "select 2"]);
  });

  it("keeps semicolons inside strings, identifiers, comments and dollar quotes", () => {
    const sql = [
      "insert into t values ('a;b', 'it''s;');",
      'create table "odd;name" (id int);',
      "select 1 /* a; /* nested; */ still; */ + 1;",
      "select 2 -- trailing; comment\n + 2;",
      "create function f() returns int language plpgsql as $body$ begin return 1; end; $body$;",
      "do $$ begin perform 1; end $$;",
      "select E'it\\'s; escaped';",
    ].join("\n");
    expect(texts(sql)).toHaveLength(7);
    expect(texts(sql)[4]).toContain("return 1; end; $body$");
  });

  it("does not treat $1 or identifiers with $ as dollar quotes", () => {
    expect(texts("prepare p as select $1::int; select a$b$ from t;")).toHaveLength(2);
  });

  it("keeps SQL-standard function bodies whole, CASE included", () => {
    const sql = `create function g(x int) returns int language sql
begin atomic
  select case when x > 0 then 1 else 0 end;
  select 2;
end;
select 3;`;
    expect(texts(sql)).toEqual([sql.slice(0, sql.indexOf("end;\nselect 3") + 3), "select 3"]);
  });

  it("records where each statement starts (leading comments belong to it), for error lines", () => {
    const sql = "-- header\nselect 1;\n\n  select\n  oops;";
    const [first, second] = splitSql(sql);
    expect(first!.text).toBe("-- header\nselect 1");
    expect(lineAt(sql, first!.offset)).toEqual({ line: 1, column: 1 });
    expect(lineAt(sql, second!.offset)).toEqual({ line: 4, column: 3 });
  });
});
