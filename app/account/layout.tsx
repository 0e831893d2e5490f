import type { ReactNode } from "react";
import { AccountNav } from "@/components/account/account-nav";
import { Providers } from "@/components/providers";
import { Button } from "@/components/ui/button";

/**
 * The account area: one shell (section nav, sign-out) around every section. It reads no data and checks no
 * session: each page does both itself (a layout is not re-rendered on navigation, so it cannot guard).
 * The area fetches its data on the client through React Query; pages outside it ship without it.
 */
export default function AccountLayout({ children }: { children: ReactNode }) {
  return (
    <Providers>
      <a
        href="#account-content"
        className="sr-only rounded-lg bg-white px-4 py-2 text-sm font-medium focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10 focus:ring-2 focus:ring-zinc-900"
      >
        Skip to content
      </a>
      <div className="mx-auto flex min-h-screen w-full max-w-5xl flex-col px-4 py-6 md:py-10">
        <header className="mb-6 flex items-center justify-between gap-4">
          <p className="text-lg font-semibold tracking-tight">Your account</p>
          <form method="post" action="/auth/sign-out">
            <input type="hidden" name="scope" value="local" />
            <Button type="submit" variant="secondary" className="w-auto">
              Sign out
            </Button>
          </form>
        </header>
        <div className="flex flex-col gap-6 md:flex-row md:gap-10">
          <AccountNav />
          <main id="account-content" tabIndex={-1} className="min-w-0 flex-1 outline-none">
            {children}
          </main>
        </div>
        <footer className="mt-10 border-t border-zinc-200 pt-6">
          <form method="post" action="/auth/sign-out">
            <input type="hidden" name="scope" value="global" />
            <Button type="submit" variant="secondary" className="w-auto">
              Sign out of all devices
            </Button>
          </form>
        </footer>
      </div>
    </Providers>
  );
}
