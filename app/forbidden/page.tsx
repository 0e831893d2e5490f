import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageShell } from "@/components/ui/card";

export const metadata: Metadata = { title: "Not allowed" };

export default function ForbiddenPage() {
  return (
    <PageShell>
      <Card>
        <h1 className="text-xl font-semibold">You don&apos;t have access to this page</h1>
        <p className="mt-3 text-sm text-zinc-600">Your account does not have the permission this page needs.</p>
        <Link href="/account" className="mt-6 inline-block text-sm font-medium underline">
          Back to your account
        </Link>
      </Card>
    </PageShell>
  );
}
