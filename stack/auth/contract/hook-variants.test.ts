import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BODY_NOTE, HOOK_BODIES, hookBodyFor, hookVariantSql } from "./hook-variants.ts";
import type { Step } from "./replay.ts";

const DIR = import.meta.dirname;
const steps = JSON.parse(readFileSync(join(DIR, "transcripts", "19-hook-errors.json"), "utf8")) as Step[];
const FILE = "19-hook-errors.json";

describe("the hook bodies of transcript 19", () => {
  it("every step whose note names a body gets exactly that body", () => {
    const noted = steps.filter((s) => s.note?.startsWith(BODY_NOTE));
    expect(noted.length).toBeGreaterThan(0);
    for (const step of noted) expect(hookBodyFor(FILE, step)).toBe(step.note?.slice(BODY_NOTE.length));
  });

  it("every other step, the last one included, runs with the recording's hook", () => {
    const others = steps.filter((s) => !s.note?.startsWith(BODY_NOTE));
    expect(others.map((s) => s.step)).toContain(steps.at(-1)?.step);
    for (const step of others) expect(hookBodyFor(FILE, step)).toBeNull();
  });

  it("the table names no step the transcript does not have", () => {
    const names = new Set(steps.map((s) => s.step));
    for (const name of Object.keys(HOOK_BODIES[FILE] ?? {})) expect(names).toContain(name);
  });

  it("a note that disagrees with the table stops the step", () => {
    const step = steps.find((s) => s.note?.startsWith(BODY_NOTE)) as Step;
    expect(() => hookBodyFor(FILE, { ...step, note: `${BODY_NOTE}begin return event; end` })).toThrow(/note says/);
    expect(() => hookBodyFor(FILE, { step: "an unlisted step", note: `${BODY_NOTE}begin return event; end` })).toThrow(/table says null/);
  });

  it("files that keep the recording's hook are left alone", () => {
    expect(hookBodyFor("02-google-signin.json", { step: "anything", note: `${BODY_NOTE}begin return event; end` })).toBeUndefined();
  });
});

describe("hookVariantSql", () => {
  const declaration = (sql: string) => (/create or replace function[\s\S]*?\bas \$/i.exec(sql)?.[0] ?? "").replace(/\s+/g, " ");

  it("declares the function exactly as the recording's hook does", () => {
    const recorded = readFileSync(join(DIR, "custom-access-token-hook.sql"), "utf8");
    const variant = hookVariantSql("begin return event; end");
    expect(declaration(recorded)).toMatch(/^create or replace function public\.custom_access_token_hook\(event jsonb\)/);
    expect(declaration(variant)).toBe(declaration(recorded));
  });

  it("wraps the body in a dollar quote the body cannot close", () => {
    expect(hookVariantSql("begin return '$$'::jsonb; end")).toContain("$hook_body$ begin return '$$'::jsonb; end $hook_body$");
    expect(() => hookVariantSql("begin return '$hook_body$'; end")).toThrow(/delimiter/);
  });
});
