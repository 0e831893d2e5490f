import type { UsersPageData } from "@/lib/admin/users-page";
import { UsersTable } from "./users-table";

/** The users page's content: heading, a note about link parameters that were left out, and the table. */
export function UsersScreen({ data }: { data: UsersPageData }) {
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm sm:p-6">
      <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
      <p className="mt-1 mb-4 text-sm text-zinc-600">Find anyone by email, name or user id. Times are in UTC.</p>
      {data.dropped.length > 0 ? (
        <p role="alert" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="admin-users-dropped">
          Some of this link&apos;s settings were not understood and are ignored: {data.dropped.join(", ")}.
        </p>
      ) : null}
      <UsersTable filters={data.filters} initial={data.page} />
    </div>
  );
}
