import type { Metadata } from "next";
import { DevicesSection } from "@/components/account/devices-section";
import { readSessions } from "@/lib/account/list-sessions";
import { withUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Devices and sessions" };

/** Devices and sessions: every active session of the user, the current one marked; end one or all the others. */
export default async function DevicesPage() {
  const { data: sessions } = await withUser((tx) => readSessions(tx), { next: "/account/devices" });
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Devices and sessions</h1>
      <p className="mt-2 mb-6 text-sm text-zinc-600">
        Every browser and app signed in to your account. Signing a device out ends its session at once: its next request is refused.
      </p>
      <DevicesSection initial={sessions} />
    </div>
  );
}
