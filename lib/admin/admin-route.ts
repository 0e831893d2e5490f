import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { auditMetaFromHeaders, type AuditMeta } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { AppError, type ActionResult } from "../errors";
import { noStore } from "../http/no-store";
import { readJson } from "../http/read-json";

export type UserRouteContext = { params: Promise<{ id: string }> };

/** The body of an admin write, read strictly (lib/http/read-json.ts) and checked by its strict schema: 400 otherwise. */
export async function readAdminBody<S extends z.ZodType>(request: NextRequest, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(request));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  const message = issue?.code === "unrecognized_keys" ? `unknown field: ${issue.keys.join(", ")}` : `${where}${issue?.message ?? "invalid input"}`;
  throw new AppError({ code: "invalid_input", message });
}

/**
 * The route half of every admin write: read the body with `schema`, call `operation` with the body (plus the
 * `[id]` of the path as userId, if any) and the request's audit metadata, and answer 200 `{ ok: true, … }` or
 * the operation's error with its status.
 */
export async function runAdminRoute<S extends z.ZodType, T>(
  request: NextRequest,
  auth: AuthContext,
  schema: S,
  operation: (auth: AuthContext, input: unknown, meta: AuditMeta) => Promise<ActionResult<T>>,
  userId?: string,
): Promise<NextResponse> {
  const body = await readAdminBody(request, schema);
  const input = userId === undefined ? body : { ...(body as object), userId };
  const result = await operation(auth, input, auditMetaFromHeaders(request.headers));
  if (!result.ok) {
    const { code, message, ...details } = result.error;
    throw new AppError({ code, message, details });
  }
  return noStore(NextResponse.json(result));
}
