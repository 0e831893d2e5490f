import type { Metadata } from "next";
import { DevicesSection } from "@/components/account/devices-section";
import { readSessions } from "@/lib/account/list-sessions";
import { withUser } from "@/lib/auth/guard";
import { isProvider, type Provider } from "@/lib/auth/providers";

export const metadata: Metadata = { title: "Devices and sessions" };

/** Devices and sessions: every active session of the user, the current one marked; end one or all the others. */
export default async function DevicesPage() {
  const { data } = await withUser(
    async (tx) => {
      const [sessions, identities] = await Promise.all([readSessions(tx), tx<{ provider: string }[]>`select provider from private.list_my_identities()`]);
      // The providers a fresh sign-in can use when signing out everywhere else asks for step-up.
      const providers = [...new Set(identities.map((i) => i.provider).filter(isProvider))] as Provider[];
      return { sessions, providers };
    },
    { next: "/account/devices" },
  );
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Devices and sessions</h1>
      <p className="mt-2 mb-6 text-sm text-zinc-600">
        Every browser and app signed in to your account. Signing a device out ends its session at once: its next request is refused.
      </p>
      <DevicesSection initial={data.sessions} providers={data.providers} />
    </div>
  );
}
