import type { Metadata } from "next";
import { DeleteAccountForm } from "@/components/account-data/delete-account-form";
import { withUser } from "@/lib/auth/guard";
import { isProvider, type Provider } from "@/lib/auth/providers";
import { readStepUp } from "@/lib/auth/step-up";

export const metadata: Metadata = { title: "Delete account" };

/** Delete account: the typed confirmation, behind step-up. */
export default async function DeleteAccountPage() {
  const { auth, data } = await withUser(
    async (tx) => {
      const [stepUp, identities] = await Promise.all([readStepUp(tx), tx<{ provider: string }[]>`select provider from private.list_my_identities()`]);
      const providers = [...new Set(identities.map((i) => i.provider).filter(isProvider))] as Provider[];
      return { stepUp, providers };
    },
    { next: "/account/delete" },
  );
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Delete account</h1>
      <DeleteAccountForm email={auth.email} stepUp={data.stepUp} providers={data.providers} />
    </div>
  );
}
