import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readActivityQuery } from "./security-activity-query";
import { encodeCursor } from "./security-event-cursor";

const cursor = encodeCursor({ occurredAt: "2026-12-05T10:11:12.123456Z", id: "5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b" });

function refusal(query: string): AppError {
  try {
    readActivityQuery(new URLSearchParams(query));
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`accepted ${query}`);
}

describe("readActivityQuery", () => {
  it("no query, a cursor, a limit", () => {
    expect(readActivityQuery(new URLSearchParams(""))).toEqual({});
    expect(readActivityQuery(new URLSearchParams(`cursor=${cursor}`))).toEqual({ cursor });
    expect(readActivityQuery(new URLSearchParams(`cursor=${cursor}&limit=50`))).toEqual({ cursor, limit: 50 });
    expect(readActivityQuery(new URLSearchParams("limit=1"))).toEqual({ limit: 1 });
  });

  it("a cursor the list did not write: invalid_input, without echoing it", () => {
    for (const q of ["cursor=", "cursor=nope!", `cursor=${cursor}x`, "cursor=%00%01", `cursor=${"A".repeat(5000)}`]) {
      const error = refusal(q);
      expect(error).toMatchObject({ code: "invalid_input", message: "cursor: not a cursor from this list" });
    }
  });

  it("a limit out of range or not plain digits", () => {
    for (const q of ["limit=0", "limit=51", "limit=999", "limit=99999999999999999999", "limit=1e1", "limit=-1", "limit=2.5", "limit=", "limit=%2010", "limit=0x10"]) {
      expect(refusal(q)).toMatchObject({ code: "invalid_input", message: "limit: a whole number from 1 to 50" });
    }
  });

  it("unknown or repeated parameters", () => {
    expect(refusal("page=2").message).toBe("Unknown query parameter: only cursor and limit are accepted");
    expect(refusal("limit=2&limit=3").message).toBe("limit: give it once");
    expect(refusal(`cursor=${cursor}&cursor=${cursor}`).message).toBe("cursor: give it once");
  });
});
