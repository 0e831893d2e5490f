import type { Metadata } from "next";
import { TwoFactorSection } from "@/components/account/two-factor-section";
import { listFactors } from "@/lib/account/mfa";
import { withUser } from "@/lib/auth/guard";
import { safeNextPath } from "@/lib/auth/redirect";
import { isProvider, type Provider } from "@/lib/auth/providers";

export const metadata: Metadata = { title: "Two-factor authentication" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Two-factor authentication: the user's authenticator apps (TOTP); add one, remove one with step-up. */
export default async function TwoFactorPage({ searchParams }: { searchParams: SearchParams }) {
  const raw = (await searchParams).next;
  // Another page may send the person here first (the admin area before any change): back there once it is on.
  const next = typeof raw === "string" && raw !== "" ? safeNextPath(raw, "") || null : null;
  const { data } = await withUser(
    async (tx) => {
      const identities = await tx<{ provider: string }[]>`select provider from private.list_my_identities()`;
      return { providers: [...new Set(identities.map((i) => i.provider).filter(isProvider))] as Provider[] };
    },
    { next: next ? `/account/two-factor?next=${encodeURIComponent(next)}` : "/account/two-factor" },
  );
  const factors = await listFactors();
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Two-factor authentication</h1>
      <p className="mt-2 mb-6 text-sm text-zinc-600">
        With an authenticator app, signing in asks for a 6-digit code from the app after your Google or Apple account.
      </p>
      <TwoFactorSection initial={factors} providers={data.providers} next={next} />
    </div>
  );
}
