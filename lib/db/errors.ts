/** The fields of a Postgres error response that the app reads. */
export type PostgresErrorFields = { code: string; message: string };

/**
 * The error if it came from Postgres (through postgres.js), else null. Recognised by the fields of the
 * error response, not by class: the pool is shared by every server bundle (./client.ts), so its errors
 * may be instances of another bundle's copy of postgres.js, and `instanceof` fails for them.
 */
export function postgresError(error: unknown): PostgresErrorFields | null {
  if (!(error instanceof Error) || !("code" in error) || !("severity" in error)) return null;
  return typeof error.code === "string" && typeof error.severity === "string" ? { code: error.code, message: error.message } : null;
}
