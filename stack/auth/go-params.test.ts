import { describe, expect, it } from "vitest";
import { decodeGoParams, goStrconvQuote, parseGoDuration, parseGoUuid } from "./go-params.ts";
import type { Ctx } from "./http.ts";

const SECOND = 1_000_000_000n;

describe("parseGoDuration", () => {
  it("reads Go duration strings", () => {
    expect(parseGoDuration("24h")).toBe(24n * 3600n * SECOND);
    expect(parseGoDuration("90m")).toBe(90n * 60n * SECOND);
    expect(parseGoDuration("1h30m")).toBe(5400n * SECOND);
    expect(parseGoDuration("1.5s")).toBe(1_500_000_000n);
    expect(parseGoDuration(".5h")).toBe(1800n * SECOND);
    expect(parseGoDuration("-90m")).toBe(-5400n * SECOND);
    expect(parseGoDuration("+10ms")).toBe(10_000_000n);
    expect(parseGoDuration("3\u00b5s")).toBe(3000n);
    expect(parseGoDuration("0")).toBe(0n);
    expect(parseGoDuration("0s")).toBe(0n);
  });

  it("fails with time.ParseDuration's messages", () => {
    expect(() => parseGoDuration("forever")).toThrow('time: invalid duration "forever"');
    expect(() => parseGoDuration("")).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration("1")).toThrow('time: missing unit in duration "1"');
    expect(() => parseGoDuration("1d")).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseGoDuration("1h 30m")).toThrow('time: unknown unit "h " in duration "1h 30m"');
    expect(() => parseGoDuration(".s")).toThrow('time: invalid duration ".s"');
    expect(() => parseGoDuration("3000000h")).toThrow('time: invalid duration "3000000h"');
    expect(() => parseGoDuration("1é")).toThrow('time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"');
  });

  it("is what Supabase Auth quotes after 'invalid format for ban duration: '", () => {
    let message = "";
    try {
      parseGoDuration("forever");
    } catch (error) {
      message = `invalid format for ban duration: ${(error as Error).message}`;
    }
    expect(message).toBe('invalid format for ban duration: time: invalid duration "forever"');
  });
});

describe("parseGoUuid", () => {
  it("accepts gofrs/uuid's forms", () => {
    const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    expect(parseGoUuid(id.toUpperCase())).toBe(id);
    expect(parseGoUuid(id.replaceAll("-", ""))).toBe(id);
    expect(parseGoUuid(`{${id}}`)).toBe(id);
    expect(parseGoUuid(`urn:uuid:${id}`)).toBe(id);
  });

  it("fails with gofrs/uuid's messages", () => {
    expect(() => parseGoUuid("not-a-uuid")).toThrow('uuid: incorrect UUID length 10 in string "not-a-uuid"');
    expect(() => parseGoUuid("6ba7b810x9dad-11d1-80b4-00c04fd430c8")).toThrow("uuid: incorrect UUID format");
  });
});

describe("goStrconvQuote", () => {
  it("quotes like %q", () => {
    expect(goStrconvQuote('My "phone"')).toBe('"My \\"phone\\""');
    expect(goStrconvQuote("a\nb\u0001")).toBe('"a\\nb\\x01"');
    expect(goStrconvQuote("Téléphone")).toBe('"Téléphone"');
  });
});

describe("decodeGoParams", () => {
  const ctxWith = (body: string) => ({ text: async () => body }) as unknown as Ctx;
  const spec = {
    name: "AdminUserParams",
    fields: { email: "string", password: "*string", email_confirm: "bool", app_metadata: "map" },
  } as const;

  it("fills Go's zero values and matches keys case-insensitively", async () => {
    expect(await decodeGoParams(ctxWith('{"EMAIL":"a@b.c","extra":1}'), spec)).toEqual({
      email: "a@b.c",
      password: null,
      email_confirm: false,
      app_metadata: null,
    });
    expect(await decodeGoParams(ctxWith("null"), spec)).toMatchObject({ email: "" });
  });

  it("fails like json.Unmarshal", async () => {
    await expect(decodeGoParams(ctxWith(""), spec)).rejects.toMatchObject({
      status: 400,
      code: "bad_json",
      message: "Could not parse request body as JSON: unexpected end of JSON input",
    });
    await expect(decodeGoParams(ctxWith('{"email_confirm":"yes"}'), spec)).rejects.toMatchObject({
      message:
        "Could not parse request body as JSON: json: cannot unmarshal string into Go struct field AdminUserParams.email_confirm of type bool",
    });
    await expect(decodeGoParams(ctxWith("[]"), spec)).rejects.toMatchObject({
      message: "Could not parse request body as JSON: json: cannot unmarshal array into Go value of type api.AdminUserParams",
    });
  });
});
