import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card, PageShell } from "@/components/ui/card";
import { getSessionUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

const PROVIDER_LABEL: Record<string, string> = { google: "Google", apple: "Apple" };

export default async function AccountPage() {
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/account");
  const initials = (user.name ?? user.email).slice(0, 1).toUpperCase();
  return (
    <PageShell>
      <Card>
        <div className="flex items-center gap-4">
          {user.avatarUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- provider avatars come from arbitrary hosts
            <img src={user.avatarUrl} alt="" className="h-14 w-14 rounded-full border border-zinc-200 object-cover" />
          ) : (
            <div aria-hidden="true" className="flex h-14 w-14 items-center justify-center rounded-full bg-zinc-200 text-lg font-semibold">
              {initials}
            </div>
          )}
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold" data-testid="account-name">
              {user.name ?? user.email}
            </h1>
            <p className="truncate text-sm text-zinc-600" data-testid="account-email">
              {user.email}
            </p>
          </div>
        </div>
        <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-zinc-500">Signed in with</dt>
          <dd data-testid="account-provider">{PROVIDER_LABEL[user.provider ?? ""] ?? user.provider ?? "—"}</dd>
          <dt className="text-zinc-500">Linked accounts</dt>
          <dd>{user.providers.map((p) => PROVIDER_LABEL[p] ?? p).join(", ") || "—"}</dd>
        </dl>
        <form method="post" action="/auth/sign-out" className="mt-8">
          <input type="hidden" name="scope" value="local" />
          <Button type="submit" variant="secondary">
            Sign out
          </Button>
        </form>
      </Card>
    </PageShell>
  );
}
