import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./security-event-cursor";

const cursor = { occurredAt: "2026-12-05T10:11:12.123456Z", id: "5b0f1d4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b" };

describe("security event cursor", () => {
  it("round-trips with the microseconds", () => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it("refuses anything encodeCursor did not write", () => {
    const enc = (s: string) => Buffer.from(s, "utf8").toString("base64url");
    expect(decodeCursor("")).toBeNull();
    expect(decodeCursor("not a cursor!")).toBeNull();
    expect(decodeCursor(enc(`2026-12-05T10:11:12.123Z|${cursor.id}`))).toBeNull(); // milliseconds only
    expect(decodeCursor(enc(`2026-12-05 10:11:12.123456|${cursor.id}`))).toBeNull();
    expect(decodeCursor(enc(`${cursor.occurredAt}|not-a-uuid`))).toBeNull();
    expect(decodeCursor(enc(`${cursor.occurredAt}|${cursor.id}|extra`))).toBeNull();
    expect(decodeCursor(enc(`2026-13-45T10:11:12.123456Z|${cursor.id}`))).toBeNull();
    expect(decodeCursor(enc(`2026-02-30T10:11:12.123456Z|${cursor.id}`))).toBeNull();
    expect(decodeCursor(enc(`0000-01-01T00:00:00.000000Z|${cursor.id}`))).toBeNull(); // out of Postgres's range
    expect(decodeCursor(enc(`0001-01-01T00:00:00.000000Z|${cursor.id}`))).toEqual({ occurredAt: "0001-01-01T00:00:00.000000Z", id: cursor.id });
    expect(decodeCursor(enc(`${cursor.occurredAt}|${cursor.id.toUpperCase()}`))).toBeNull();
    expect(decodeCursor("A".repeat(201))).toBeNull();
  });
});
