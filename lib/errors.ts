export type AppErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "csrf"
  | "invalid_input"
  | "not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "auth_unavailable"
  | "step_up_required"
  | "mfa_required"
  | "mfa_enrolment_required"
  | "conflict"
  | "rate_limited"
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
  step_up_required: 403,
  mfa_required: 403,
  mfa_enrolment_required: 403,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

/**
 * What a client needs besides the message to act on an error: for `step_up_required`, what proves it is
 * the account holder (`requirement`); for `rate_limited`, when to try again (`retryAfter`, seconds).
 */
export type AppErrorDetails = { requirement?: "aal2" | "recent_sign_in"; retryAfter?: number };

/** The one error type of the app; `toHttpStatus` and `toActionResult` are its only mappers. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: AppErrorDetails | undefined;
  constructor({ code, message, details }: { code: AppErrorCode; message: string; details?: AppErrorDetails }) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function toHttpStatus(error: unknown): number {
  return error instanceof AppError ? STATUS[error.code] : 500;
}

export type ActionError = { code: AppErrorCode; message: string } & AppErrorDetails;

export type ActionResult<T> = ({ ok: true } & T) | { ok: false; error: ActionError };

export function toActionResult(error: unknown): { ok: false; error: ActionError } {
  if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message, ...error.details } };
  return { ok: false, error: { code: "internal", message: "Something went wrong. Please try again." } };
}
