import { AppError } from "../errors";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * The body of an HTML form post. Anything else — no body, JSON, a multipart body that does not parse — is
 * the caller's mistake: an `invalid_input` error (400), never an exception that surfaces as a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!FORM_TYPES.has(type)) {
    throw new AppError({
      code: "invalid_input",
      message: "Expected a form post (application/x-www-form-urlencoded or multipart/form-data)",
    });
  }
  try {
    return await request.formData();
  } catch {
    throw new AppError({ code: "invalid_input", message: "The form could not be read" });
  }
}
