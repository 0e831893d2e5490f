import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, PageShell } from "@/components/ui/card";
import { loadBenchProfile } from "@/lib/bench/load-bench-profile";
import { benchRoutesEnabled, isBenchVariant } from "@/lib/bench/variants";

export const metadata: Metadata = { title: "Benchmark", robots: { index: false } };
// Read at request time: ENABLE_BENCH_ROUTES of the running server decides, never the build.
export const dynamic = "force-dynamic";

export default async function BenchPage({ params }: { params: Promise<{ variant: string }> }) {
  const { variant } = await params;
  if (!benchRoutesEnabled() || !isBenchVariant(variant)) notFound();
  const profile = await loadBenchProfile(variant);
  return (
    <PageShell>
      <Card>
        <h1 className="truncate text-xl font-semibold" data-testid="bench-name">
          {profile.name}
        </h1>
        <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-zinc-500">Email</dt>
          <dd data-testid="bench-email">{profile.email}</dd>
          <dt className="text-zinc-500">Role</dt>
          <dd data-testid="bench-role">{profile.role}</dd>
          <dt className="text-zinc-500">Linked identities</dt>
          <dd data-testid="bench-identities">{profile.identities}</dd>
        </dl>
      </Card>
    </PageShell>
  );
}
