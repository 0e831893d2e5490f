import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditLog } from "@/components/admin/audit-log";
import { loadAuditPage } from "@/lib/admin/audit-page";
import { toSearchParams } from "@/lib/admin/format";
import { staffMetadata } from "@/lib/admin/staff-access";

export function generateMetadata(): Promise<Metadata> {
  return staffMetadata("Audit log");
}

/** Every audit event, newest first (audit.read; anyone else signed in gets a 404), filtered from the URL. */
export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const data = await loadAuditPage(toSearchParams(await searchParams));
  if (!data) notFound();
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm sm:p-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <p className="mt-1 mb-4 text-sm text-zinc-600">
        Every change staff and users made to accounts, newest first. Times are in UTC; the download holds every event that matches the filters.
      </p>
      {data.dropped.length > 0 ? (
        <p role="alert" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="audit-dropped">
          Some of this link&apos;s filters were not understood and are ignored: {data.dropped.join(", ")}.
        </p>
      ) : null}
      <AuditLog filters={data.filters} initial={data.page} actions={data.actions} />
    </div>
  );
}
