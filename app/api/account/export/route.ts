import { NextResponse } from "next/server";
import { dataExportStream, startDataExport } from "@/lib/account/export-data";
import { auditMetaFromHeaders } from "@/lib/audit/meta";
import { withStepUp } from "@/lib/auth/route";
import { readJson } from "@/lib/http/read-json";

/**
 * Export my data: a same-origin POST with the JSON body `{}` from a session that passes step-up (403
 * `step_up_required` otherwise). Postgres counts it against the limit (429 `rate_limited` with Retry-After
 * otherwise) and audits it; then the document (docs/export-schema.md) streams as a JSON attachment while it
 * is read. A POST, not a GET: starting an export changes state (the limit and the audit trail).
 */
export const POST = withStepUp(async (request, auth) => {
  const body = await readJson(request);
  const started = await startDataExport(auth, body, auditMetaFromHeaders(request.headers));
  const day = started.startedAt.slice(0, 10);
  return new NextResponse(dataExportStream(auth, started), {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="account-export-${day}.json"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
