import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { ToastProvider } from "@/components/admin/toast";
import { Providers } from "@/components/providers";
import { staffShell } from "@/lib/admin/staff-access";

/**
 * The admin area's shell: a header with the section nav around every page. Anyone signed in without
 * users.read gets a 404 from here, before any of the area renders, so its existence is not revealed. A layout
 * is not re-rendered on navigation, so every page checks again (withStaffPage); for anyone the guard turns
 * away (signed out, a revoked session, a pending second factor) the shell stays empty and the page redirects.
 * The area fetches its later pages on the client through React Query; pages outside it ship without it.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const shell = await staffShell();
  if (shell.kind === "not_found") notFound();
  if (shell.kind === "page_decides") return <Providers>{children}</Providers>;
  // One toast region for the area: a page that navigates after an action (a deletion, a new user) flashes its
  // result to the next page, which shows it here.
  return (
    <Providers>
      <ToastProvider>
      <a
        href="#admin-content"
        className="sr-only rounded-lg bg-white px-4 py-2 text-sm font-medium focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10 focus:ring-2 focus:ring-zinc-900"
      >
        Skip to content
      </a>
      <div className="mx-auto flex min-h-screen w-full max-w-7xl flex-col px-4 py-6 md:py-8">
        <header className="mb-6 flex flex-wrap items-center justify-between gap-x-6 gap-y-3">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-3">
            <p className="text-lg font-semibold tracking-tight">Admin</p>
            <AdminNav canReadAudit={shell.canReadAudit} />
          </div>
          <Link
            href="/account"
            className="rounded-lg px-3 py-2 text-sm font-medium text-zinc-700 underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-zinc-900"
          >
            Your account
          </Link>
        </header>
        <main id="admin-content" tabIndex={-1} className="min-w-0 flex-1 outline-none">
          {children}
        </main>
      </div>
      </ToastProvider>
    </Providers>
  );
}
