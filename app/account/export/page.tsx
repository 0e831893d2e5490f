import type { Metadata } from "next";
import { ExportData } from "@/components/account-data/export-data";
import { readRecentExportCount } from "@/lib/account/export-data";
import { EXPORTS_PER_HOUR } from "@/lib/account/export-input";
import { withUser } from "@/lib/auth/guard";
import { isProvider, type Provider } from "@/lib/auth/providers";
import { readStepUp } from "@/lib/auth/step-up";

export const metadata: Metadata = { title: "Export my data" };

/** Export my data: a JSON download of everything the app holds about the user, behind step-up. */
export default async function ExportPage() {
  const { data } = await withUser(
    async (tx) => {
      const [stepUp, identities, recentExports] = await Promise.all([
        readStepUp(tx),
        tx<{ provider: string }[]>`select provider from private.list_my_identities()`,
        readRecentExportCount(tx),
      ]);
      const providers = [...new Set(identities.map((i) => i.provider).filter(isProvider))] as Provider[];
      return { stepUp, providers, recentExports };
    },
    { next: "/account/export" },
  );
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Export my data</h1>
      <ExportData stepUp={data.stepUp} providers={data.providers} recentExports={data.recentExports} perHour={EXPORTS_PER_HOUR} />
    </div>
  );
}
