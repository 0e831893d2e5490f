import { AppError } from "../errors";

/** Request bodies of the app's JSON routes are small objects; anything larger is refused unread. */
export const JSON_BODY_MAX_BYTES = 16 * 1024;

function contentType(request: Request): { type: string; charset: string | null } {
  const [type = "", ...params] = (request.headers.get("content-type") ?? "").split(";");
  let charset: string | null = null;
  for (const param of params) {
    const [key, value] = param.split("=");
    if (key?.trim().toLowerCase() === "charset") charset = (value ?? "").trim().replace(/^"|"$/g, "").toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

/** The body's bytes, read as they arrive and refused as soon as they pass `max`: a large body is never held whole. */
async function readBytes(request: Request, max: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(max);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError({ code: "invalid_input", message: "The request body could not be read" });
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(max: number): AppError {
  return new AppError({ code: "payload_too_large", message: `The request body is larger than ${max} bytes` });
}

/**
 * The JSON body of a request, strictly: `application/json` (UTF-8, the only charset JSON has), at most
 * `maxBytes`, valid UTF-8 and valid JSON. Each failure is the caller's mistake and an AppError with a clear
 * message (400, 413 or 415), never an exception of the platform that would surface as a 500.
 *
 * Trap: `request.json()` decodes invalid UTF-8 into U+FFFD without a word, so a name with broken bytes would
 * be stored mangled. The bytes are decoded here with a fatal decoder instead. JSON escapes can still spell a
 * lone surrogate (`"\ud800"`), which is valid JSON: the input schemas refuse it.
 */
export async function readJson(request: Request, { maxBytes = JSON_BODY_MAX_BYTES }: { maxBytes?: number } = {}): Promise<unknown> {
  const { type, charset } = contentType(request);
  if (type !== "application/json") {
    throw new AppError({ code: "unsupported_media_type", message: "Send a JSON body (Content-Type: application/json)" });
  }
  if (charset !== null && charset !== "utf-8" && charset !== "utf8") {
    throw new AppError({ code: "unsupported_media_type", message: "Send the JSON body as UTF-8" });
  }
  const bytes = await readBytes(request, maxBytes);
  if (bytes.byteLength === 0) throw new AppError({ code: "invalid_input", message: "Send a JSON body" });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError({ code: "invalid_input", message: "The request body is not valid UTF-8" });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError({ code: "invalid_input", message: "The request body is not valid JSON" });
  }
}
