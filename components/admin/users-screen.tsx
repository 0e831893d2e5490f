import Link from "next/link";
import type { UsersPageData } from "@/lib/admin/users-page";
import { UsersTable } from "./users-table";

/**
 * The users page's content: heading (with a link to create a user, for a viewer who may), a note about link
 * parameters that were left out, and the table.
 */
export function UsersScreen({ data }: { data: UsersPageData }) {
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm sm:p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        {data.canCreate ? (
          <Link
            href="/admin/users/new"
            className="inline-flex items-center justify-center rounded-lg bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-2"
          >
            Create user
          </Link>
        ) : null}
      </div>
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
