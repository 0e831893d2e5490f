import type { Metadata } from "next";
import { ActivitySection } from "@/components/account/activity-section";
import { readSecurityEvents } from "@/lib/account/list-security-events";
import { withUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Security activity" };

/** Security activity: the user's own recent security events, newest first, older pages on request. */
export default async function ActivityPage() {
  const { auth, data } = await withUser((tx) => readSecurityEvents(tx), { next: "/account/activity" });
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Security activity</h1>
      <p className="mt-2 mb-6 text-sm text-zinc-600">
        Sign-ins, sign-outs and changes to how you sign in, newest first. Times are in UTC. If you don&apos;t recognise something, sign out of
        that device and review your sign-in methods.
      </p>
      <ActivitySection initial={data} currentSessionId={auth.sessionId} />
    </div>
  );
}
