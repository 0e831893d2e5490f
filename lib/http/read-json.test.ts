import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readJson } from "./read-json";

const post = (body: BodyInit | null, type?: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost:3000/api/account/profile", {
    method: "POST",
    body,
    headers: { ...(type ? { "content-type": type } : {}), ...headers },
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);

async function failure(request: Request, opts?: { maxBytes?: number }): Promise<AppError> {
  const error = await readJson(request, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readJson", () => {
  it("reads a JSON body, with or without charset=utf-8", async () => {
    expect(await readJson(post('{"displayName":"Ada"}', "application/json"))).toEqual({ displayName: "Ada" });
    expect(await readJson(post('{"a":"é"}', "Application/JSON; charset=UTF-8"))).toEqual({ a: "é" });
    expect(await readJson(post("[1,null]", "application/json"))).toEqual([1, null]);
  });

  it("a wrong or missing content type is a 415 with a clear message", async () => {
    for (const request of [post('{"a":1}'), post('{"a":1}', "text/plain"), post("a=1", "application/x-www-form-urlencoded"), post('{"a":1}', "application/jsonx")]) {
      const error = await failure(request);
      expect(error).toMatchObject({ code: "unsupported_media_type", message: "Send a JSON body (Content-Type: application/json)" });
    }
    expect(await failure(post('{"a":1}', "application/json; charset=latin1"))).toMatchObject({ code: "unsupported_media_type", message: "Send the JSON body as UTF-8" });
  });

  it("no body or an empty one: invalid_input", async () => {
    for (const request of [post(null, "application/json"), post("", "application/json")]) {
      expect(await failure(request)).toMatchObject({ code: "invalid_input", message: "Send a JSON body" });
    }
  });

  it("invalid UTF-8 bytes are refused, not turned into U+FFFD", async () => {
    for (const bytes of [[0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d], [0x22, 0xff, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22]]) {
      const error = await failure(post(new Uint8Array(bytes), "application/json"));
      expect(error).toMatchObject({ code: "invalid_input", message: "The request body is not valid UTF-8" });
    }
  });

  it("text that is not JSON: invalid_input", async () => {
    for (const body of ["{not json", '{"a":', "undefined", "{'a':1}"]) {
      expect(await failure(post(body, "application/json"))).toMatchObject({ code: "invalid_input", message: "The request body is not valid JSON" });
    }
  });

  it("a body over the limit is a 413, by its declared length or as it streams", async () => {
    const big = JSON.stringify({ displayName: "x".repeat(100) });
    expect(await failure(post(big, "application/json"), { maxBytes: 64 })).toMatchObject({ code: "payload_too_large" });
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        controller.enqueue(new TextEncoder().encode('{"a":"' + "y".repeat(1000)));
        if (sent > 1000) controller.close();
      },
    });
    expect(await failure(post(endless, "application/json"), { maxBytes: 4096 })).toMatchObject({ code: "payload_too_large" });
    expect(sent).toBeLessThan(20);
  });
});
