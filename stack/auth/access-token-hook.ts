import { Ajv, type ErrorObject } from "ajv";
import type { Db } from "./app.ts";
import { AuthError } from "./errors.ts";
import type { Claims } from "./tokens.ts";

/**
 * What the claims must still look like after the custom access token hook (JSON Schema draft-07), as Supabase
 * Auth v2.196 checks them before signing: ten claims are required; the registered and Supabase claims have a
 * type; `is_anonymous` must be present but may hold any value; `amr` entries are strings or objects; every
 * other claim passes untouched.
 */
export const MINIMUM_TOKEN_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    aud: { type: ["string", "array"] },
    exp: { type: "integer" },
    jti: { type: "string" },
    iat: { type: "integer" },
    iss: { type: "string" },
    nbf: { type: "integer" },
    sub: { type: "string" },
    email: { type: "string" },
    phone: { type: "string" },
    app_metadata: { type: "object", additionalProperties: true },
    user_metadata: { type: "object", additionalProperties: true },
    role: { type: "string" },
    aal: { type: "string" },
    amr: { type: "array", items: { anyOf: [{ type: "string" }, { type: "object" }] } },
    session_id: { type: "string" },
    client_id: { type: "string" },
  },
  required: ["aud", "exp", "iat", "sub", "email", "phone", "role", "aal", "session_id", "is_anonymous"],
} as const;

const validateClaims = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true }).compile<Claims>(MINIMUM_TOKEN_SCHEMA);

/** A JSON value's type as the schema report names it: whole numbers are `integer`, others `number`. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** `/amr/0` → `amr.0`; the document itself is `(root)`. */
function field(instancePath: string): string {
  return instancePath === "" ? "(root)" : instancePath.slice(1).split("/").join(".");
}

function complaint(error: ErrorObject): string {
  const at = field(error.instancePath);
  switch (error.keyword) {
    case "required":
      return `${at}: ${(error.params as { missingProperty: string }).missingProperty} is required`;
    case "type": {
      const expected = Array.isArray(error.schema) ? `[${(error.schema as string[]).join(",")}]` : String(error.schema);
      return `${at}: Invalid type. Expected: ${expected}, given: ${jsonType(error.data)}`;
    }
    case "anyOf":
      return `${at}: Must validate at least one schema (anyOf)`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

/**
 * The report lists, one line each: missing claims in the schema's `required` order, then each claim of the wrong
 * type. An `anyOf` miss is followed by the complaints of its first alternative only (all alternatives are bare
 * types, so the first is the closest match).
 */
export function schemaReport(errors: ErrorObject[]): string[] {
  const inAlternative = (e: ErrorObject) => /\/anyOf\/\d+\//.test(e.schemaPath);
  const lines: string[] = [];
  for (const error of errors) {
    if (inAlternative(error)) continue;
    lines.push(complaint(error));
    if (error.keyword === "anyOf") {
      const first = errors.filter((e) => e.instancePath === error.instancePath && e.schemaPath.startsWith(`${error.schemaPath}/0/`));
      lines.push(...first.map(complaint));
    }
  }
  return lines;
}

/** An answer of Supabase Auth's own: `unexpected_failure`, named in `x-sb-error-code`. */
const failure = (message: string) => new AuthError(500, "unexpected_failure", message);

/**
 * An answer that relays the hook's verdict carries no error code of its own: the body says `unexpected_failure`
 * for a 500 and `unknown` for any other status, and there is no `x-sb-error-code` header.
 */
function uncoded(status: number, message: string): AuthError {
  return new AuthError(status, status === 500 ? "unexpected_failure" : "unknown", message, { codeHeader: false });
}

export const UNREADABLE_OUTPUT = "Error unmarshaling JSON output.";
export const MISSING_CLAIMS = "output claims field is missing";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A number that does not fit a 64-bit float (Postgres numerics can be far larger) makes the output unreadable. */
function hasOversizedNumber(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasOversizedNumber);
  if (isObject(value)) return Object.values(value).some(hasOversizedNumber);
  return false;
}

/** Keys that name `name` when letter case is ignored, in document order (the last one wins). */
function keysNaming(object: Record<string, unknown>, name: string): string[] {
  return Object.keys(object).filter((k) => k.toLowerCase() === name);
}

/**
 * The documented error object, `{ "error": { "http_code", "message" } }`, read the way Supabase Auth decodes it:
 * keys match regardless of letter case, `http_code` must be a whole number and `message` a string (a field of
 * another type voids the whole object), null leaves a field unset. Only a non-empty message makes it an error.
 */
function hookError(output: unknown): { httpCode: number; message: string } | null {
  if (!isObject(output)) return null;
  let found: { httpCode: number; message: string } | null = null;
  for (const key of keysNaming(output, "error")) {
    const value = output[key];
    if (value === null) {
      found = null;
      continue;
    }
    if (!isObject(value)) return null;
    found ??= { httpCode: 0, message: "" };
    for (const k of keysNaming(value, "http_code")) {
      const code = value[k];
      if (code === null) continue;
      if (typeof code !== "number" || !Number.isInteger(code) || Math.abs(code) >= 2 ** 63) return null;
      found.httpCode = code;
    }
    for (const k of keysNaming(value, "message")) {
      const message = value[k];
      if (message === null) continue;
      if (typeof message !== "string") return null;
      found.message = message;
    }
  }
  return found && found.message !== "" ? found : null;
}

/**
 * The status an error object answers with: its `http_code`, 500 when it has none. A status no HTTP response can
 * carry as a final status (outside 200–999) is answered as 500.
 */
function errorStatus(httpCode: number): number {
  return httpCode >= 200 && httpCode <= 999 ? httpCode : 500;
}

function checkClaims(claims: unknown): Claims {
  if (validateClaims(claims)) return claims;
  const lines = schemaReport(validateClaims.errors ?? []).map((line) => `- ${line}\n`);
  throw uncoded(500, `output claims do not conform to the expected schema: \n${lines.join("")}`);
}

/**
 * The claims to sign, from the hook function's result as Postgres prints it (`null` for SQL NULL), or the
 * answer the request gets instead, in this order:
 * 1. an error object with a message → its status and message;
 * 2. SQL NULL → no claims (a schema failure: the document is null);
 * 3. JSON null, or an object without `claims` → 500 "output claims field is missing";
 * 4. anything but an object, a `claims` that is neither an object nor null, or an oversized number →
 *    500 `unexpected_failure` "Error unmarshaling JSON output.";
 * 5. claims that break MINIMUM_TOKEN_SCHEMA → 500 with the schema report.
 */
export function claimsFromHookOutput(output: string | null): Claims {
  if (output === null) return checkClaims(null);
  const value = JSON.parse(output) as unknown;
  const error = hookError(value);
  if (error) throw uncoded(errorStatus(error.httpCode || 500), error.message);
  if (value === null) throw uncoded(500, MISSING_CLAIMS);
  if (!isObject(value) || hasOversizedNumber(value)) throw failure(UNREADABLE_OUTPUT);
  if (!Object.hasOwn(value, "claims")) throw uncoded(500, MISSING_CLAIMS);
  const claims = value.claims;
  if (claims !== null && !isObject(claims)) throw failure(UNREADABLE_OUTPUT);
  return checkClaims(claims);
}

/** `"public"."custom_access_token_hook"` → `pg-functions://postgres/public/custom_access_token_hook`. */
export function hookUri(fn: string): string {
  return `pg-functions://postgres/${fn.replaceAll('"', "").replace(".", "/")}`;
}

export type HookEvent = { user_id: string; claims: Claims; authentication_method: string };

/**
 * Runs the hook function inside the caller's transaction with a 2 s statement timeout. A function that raises
 * or times out answers 500 "Error running hook URI: …"; its result is judged by `claimsFromHookOutput`.
 */
export async function runAccessTokenHook(db: Db, fn: string, event: HookEvent): Promise<Claims> {
  let output: string | null;
  try {
    await db`set local statement_timeout = 2000`;
    const rows = await db.unsafe(`select ${fn}($1::text::jsonb)::text as output`, [JSON.stringify(event)]);
    await db`set local statement_timeout to default`;
    output = (rows[0]?.output as string | null | undefined) ?? null;
  } catch (error) {
    console.error(`custom access token hook ${fn} failed: ${(error as Error).message}`);
    throw failure(`Error running hook URI: ${hookUri(fn)}`);
  }
  return claimsFromHookOutput(output);
}
