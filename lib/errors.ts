export type AppErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "csrf"
  | "invalid_input"
  | "not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "auth_unavailable"
  | "internal";

const STATUS: Record<AppErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  invalid_input: 400,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  auth_unavailable: 503,
  internal: 500,
};

/** The one error type of the app; `toHttpStatus` and `toActionResult` are its only mappers. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor({ code, message }: { code: AppErrorCode; message: string }) {
    super(message);
    this.code = code;
  }
}

export function toHttpStatus(error: unknown): number {
  return error instanceof AppError ? STATUS[error.code] : 500;
}

export type ActionResult<T> = ({ ok: true } & T) | { ok: false; error: { code: AppErrorCode; message: string } };

export function toActionResult(error: unknown): { ok: false; error: { code: AppErrorCode; message: string } } {
  if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
  return { ok: false, error: { code: "internal", message: "Something went wrong. Please try again." } };
}
