import { NextResponse } from "next/server";
import { readAuditExportQuery } from "@/lib/admin/audit-query";
import { startAuditExport } from "@/lib/admin/search-audit";
import { withAuth } from "@/lib/auth/route";

/**
 * The filtered audit log as a CSV download (audit.read), streamed in keyset batches: the filters of
 * /admin/audit (actor, target, action, from, to) and nothing else (400 otherwise); without audit.read, 403.
 * A GET: it changes nothing, so a plain link downloads it.
 */
export const GET = withAuth(
  async (request, auth) => {
    const filters = readAuditExportQuery(request.nextUrl.searchParams);
    const { stream } = await startAuditExport(auth, filters);
    const day = new Date().toISOString().slice(0, 10);
    return new NextResponse(stream, {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="audit-log-${day}.csv"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
  { permission: "audit.read" },
);
