import type { Metadata } from "next";
import { IdentitiesSection } from "@/components/account/identities-section";
import { IDENTITIES_PATH, linkNotice } from "@/lib/account/identity-input";
import { readIdentities } from "@/lib/account/list-identities";
import { withUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Linked identities" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Linked identities: each provider the person signs in with; link Google or Apple, unlink one with step-up. */
export default async function IdentitiesPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { data: identities } = await withUser((tx) => readIdentities(tx), { next: IDENTITIES_PATH });
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Linked identities</h1>
      <p className="mt-2 mb-6 text-sm text-zinc-600">The providers you can sign in with. Each one opens the same account.</p>
      <IdentitiesSection initial={identities} notice={linkNotice(params)} />
    </div>
  );
}
