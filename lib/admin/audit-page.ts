import "server-only";
import { AUDIT_PAGE_SIZE, auditFiltersToParams, readAuditPageFilters, type AuditFilters } from "./audit-query";
import { listAuditActionsInTx, searchAuditInTx, type AuditLogPage } from "./search-audit";
import { withStaffPage } from "./staff-access";

export type AuditPageData = { filters: AuditFilters; dropped: string[]; page: AuditLogPage; actions: string[] };

/**
 * The audit log's first page for the filters in the URL, and the actions that occur (for the filter's
 * select), with the guard in one round trip; null for someone without audit.read (the page answers 404).
 */
export async function loadAuditPage(params: URLSearchParams): Promise<AuditPageData | null> {
  const { filters, dropped } = readAuditPageFilters(params);
  const query = auditFiltersToParams(filters).toString();
  const loaded = await withStaffPage(
    "audit.read",
    async (tx) => {
      const [page, actions] = await Promise.all([searchAuditInTx(tx, filters, { limit: AUDIT_PAGE_SIZE }), listAuditActionsInTx(tx)]);
      return { page, actions };
    },
    query ? `/admin/audit?${query}` : "/admin/audit",
  );
  return loaded && { filters, dropped, ...loaded.data };
}
