import { describe, expect, it } from "vitest";
import { assertSameOrigin } from "./csrf";

const app = "http://localhost:3000";
const h = (init: Record<string, string>) => new Headers(init);

describe("assertSameOrigin", () => {
  it("accepts the app's own origin", () => {
    expect(() => assertSameOrigin(h({ origin: app }), app)).not.toThrow();
    expect(() => assertSameOrigin(h({ "sec-fetch-site": "same-origin" }), app)).not.toThrow();
  });
  it.each([
    [{ origin: "https://evil.example" }],
    [{ origin: "null" }],
    [{ origin: "http://localhost:3001" }],
    [{ "sec-fetch-site": "cross-site" }],
    [{ "sec-fetch-site": "same-site" }],
    [{}],
  ])("refuses %j", (headers) => {
    expect(() => assertSameOrigin(h(headers), app)).toThrow(/Cross-origin/);
  });
});
