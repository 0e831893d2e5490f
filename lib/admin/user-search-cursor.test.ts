import { describe, expect, it } from "vitest";
import { decodeUserSearchCursor, encodeUserSearchCursor, type UserSearchCursor } from "./user-search-cursor";

const ID = "3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f";

describe("user search cursor", () => {
  it("round-trips each sort's keys, microseconds and -infinity included", () => {
    const cursors: UserSearchCursor[] = [
      { sort: "created", dir: "desc", key: "2026-12-05T08:03:12.353860Z", id: ID },
      { sort: "last_sign_in", dir: "asc", key: "-infinity", id: ID },
      { sort: "email", dir: "asc", key: "ada.o'brien+x@example.com", id: ID },
      { sort: "email", dir: "desc", key: "", id: ID },
    ];
    for (const cursor of cursors) {
      const encoded = encodeUserSearchCursor(cursor);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeUserSearchCursor(encoded)).toEqual(cursor);
    }
  });

  it("refuses anything it did not write", () => {
    const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expect(decodeUserSearchCursor("")).toBeNull();
    expect(decodeUserSearchCursor("not a cursor!")).toBeNull();
    expect(decodeUserSearchCursor(Buffer.from("{").toString("base64url"))).toBeNull();
    expect(decodeUserSearchCursor(enc(["name", "asc", "x", ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["email", "up", "x", ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["email", "asc", "x", "not-a-uuid"]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["email", "asc", 5, ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["email", "asc", "x"]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["created", "asc", "2026-12-05 08:03:12+00", ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["created", "asc", "2026-12-05T08:03:12.353Z", ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["created", "asc", "2026-02-30T08:03:12.353860Z", ID]))).toBeNull();
    expect(decodeUserSearchCursor(enc(["email", "asc", "x".repeat(321), ID]))).toBeNull();
  });
});
