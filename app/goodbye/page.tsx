import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageShell } from "@/components/ui/card";

export const metadata: Metadata = { title: "Account deleted" };

/** Where a deleted account lands, signed out. Public: it reads nothing and shows nothing about anyone. */
export default function GoodbyePage() {
  return (
    <PageShell>
      <Card>
        <h1 className="text-2xl font-semibold tracking-tight">Your account has been deleted</h1>
        <p className="mt-4 text-sm text-zinc-700">
          Your profile, linked sign-in accounts and sessions are gone, and you have been signed out on every device.
        </p>
        <p className="mt-2 text-sm text-zinc-700">
          Signing in again with Google or Apple creates a new, empty account.
        </p>
        <Link href="/login" className="mt-6 inline-block text-sm font-medium underline focus-visible:outline-2 focus-visible:outline-zinc-900">
          Go to the sign-in page
        </Link>
      </Card>
    </PageShell>
  );
}
