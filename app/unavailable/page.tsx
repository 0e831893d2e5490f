import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageShell } from "@/components/ui/card";

export const metadata: Metadata = { title: "Sign-in unavailable" };

export default function UnavailablePage() {
  return (
    <PageShell>
      <Card>
        <h1 className="text-xl font-semibold">Sign-in is temporarily unavailable</h1>
        <p className="mt-3 text-sm text-zinc-600">
          We can&apos;t reach the sign-in service right now. You have not been signed out. Please try again in a moment.
        </p>
        <Link href="/login" className="mt-6 inline-block text-sm font-medium text-zinc-900 underline">
          Try again
        </Link>
      </Card>
    </PageShell>
  );
}
