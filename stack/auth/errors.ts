/** An error answered with Supabase Auth's error bodies; `code` is the `error_code`. */
export class AuthError extends Error {
  readonly status: number;
  readonly code: string;
  /** Keys the body carries after the message (`weak_password` with its reasons). */
  readonly extra: Record<string, unknown> | undefined;
  /** Whether the answer names its code in `x-sb-error-code`; a few error types answer without it. */
  readonly codeHeader: boolean;
  constructor(
    status: number,
    code: string,
    message: string,
    opts: { extra?: Record<string, unknown>; codeHeader?: boolean } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = opts.extra;
    this.codeHeader = opts.codeHeader ?? true;
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const validationFailed = (message: string) => new AuthError(400, "validation_failed", message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const internalError = (message: string) => new AuthError(500, "unexpected_failure", message);

/** The API version whose error shape is `{ code: <error_code>, message }`. */
export const API_VERSION_2024 = "2024-01-01";

/**
 * Supabase Auth picks the error shape from `X-Supabase-Api-Version`: a valid date on or after 2024-01-01 gets
 * `{code: error_code, message}` (and the header echoed); anything else, including browser navigations, gets
 * the legacy `{code: http_status, error_code, msg}`.
 */
export function requestedApiVersion(header: string | undefined): string | null {
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return null;
  const time = Date.parse(`${header}T00:00:00Z`);
  if (Number.isNaN(time)) return null;
  return time >= Date.parse(`${API_VERSION_2024}T00:00:00Z`) ? API_VERSION_2024 : null;
}

export function errorBody(error: AuthError, apiVersion: string | null): Record<string, unknown> {
  const body = apiVersion
    ? { code: error.code, message: error.message }
    : { code: error.status, error_code: error.code, msg: error.message };
  return error.extra ? { ...body, ...error.extra } : body;
}
