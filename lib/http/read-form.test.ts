import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readForm } from "./read-form";

const post = (body: BodyInit | null, type?: string) =>
  new Request("http://localhost:3000/auth/sign-in", { method: "POST", body, headers: type ? { "content-type": type } : {} });

async function failure(request: Request): Promise<AppError> {
  const error = await readForm(request).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readForm", () => {
  it("reads url-encoded and multipart forms", async () => {
    expect((await readForm(post("provider=google&next=%2Faccount", "application/x-www-form-urlencoded"))).get("next")).toBe("/account");
    const data = new FormData();
    data.set("provider", "apple");
    expect((await readForm(new Request("http://localhost:3000/x", { method: "POST", body: data }))).get("provider")).toBe("apple");
  });

  it("no body, JSON or text: invalid_input, not an exception of the platform", async () => {
    for (const request of [post(null), post('{"provider":"google"}', "application/json"), post("provider=google", "text/plain")]) {
      const error = await failure(request);
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("Expected a form post");
    }
  });

  it("a multipart body that does not parse: invalid_input", async () => {
    const error = await failure(post("not multipart at all", "multipart/form-data; boundary=xyz"));
    expect(error).toMatchObject({ code: "invalid_input", message: "The form could not be read" });
  });
});
