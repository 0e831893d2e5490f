import type { Metadata } from "next";
import Link from "next/link";
import { DisplayNameForm } from "@/components/account/display-name-form";
import { Button } from "@/components/ui/button";
import { Card, PageShell } from "@/components/ui/card";
import { readProfile } from "@/lib/account/get-profile";
import { withUser } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Your account" };

const PROVIDER_LABEL: Record<string, string> = { google: "Google", apple: "Apple" };

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export default async function AccountPage() {
  const { auth, data: profile } = await withUser((tx, user) => readProfile(tx, user.userId), { next: "/account" });
  const meta = auth.claims.user_metadata ?? {};
  const app = auth.claims.app_metadata ?? {};
  const name = profile?.displayName ?? str(meta.full_name) ?? str(meta.name);
  const avatar = profile?.avatarUrl ?? str(meta.avatar_url);
  const provider = str(app.provider);
  const providers = Array.isArray(app.providers) ? app.providers.filter((p): p is string => typeof p === "string") : [];
  const initials = (name ?? auth.email).slice(0, 1).toUpperCase();
  return (
    <PageShell>
      <Card>
        <div className="flex items-center gap-4">
          {avatar ? (
            // eslint-disable-next-line @next/next/no-img-element -- provider avatars come from arbitrary hosts
            <img src={avatar} alt="" className="h-14 w-14 rounded-full border border-zinc-200 object-cover" />
          ) : (
            <div aria-hidden="true" className="flex h-14 w-14 items-center justify-center rounded-full bg-zinc-200 text-lg font-semibold">
              {initials}
            </div>
          )}
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold" data-testid="account-name">
              {name ?? auth.email}
            </h1>
            <p className="truncate text-sm text-zinc-600" data-testid="account-email">
              {auth.email}
            </p>
          </div>
        </div>
        <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-zinc-500">Signed in with</dt>
          <dd data-testid="account-provider">{PROVIDER_LABEL[provider ?? ""] ?? provider ?? "—"}</dd>
          <dt className="text-zinc-500">Linked accounts</dt>
          <dd>{providers.map((p) => PROVIDER_LABEL[p] ?? p).join(", ") || "—"}</dd>
          <dt className="text-zinc-500">Role</dt>
          <dd data-testid="account-role">{auth.role}</dd>
        </dl>
        <DisplayNameForm initial={name ?? ""} />
        {can(auth.role, "users.read") ? (
          <Link href="/admin" className="mt-6 inline-block text-sm font-medium underline">
            User management
          </Link>
        ) : null}
        <div className="mt-8 flex flex-col gap-3">
          <form method="post" action="/auth/sign-out">
            <input type="hidden" name="scope" value="local" />
            <Button type="submit" variant="secondary">
              Sign out
            </Button>
          </form>
          <form method="post" action="/auth/sign-out">
            <input type="hidden" name="scope" value="global" />
            <Button type="submit" variant="secondary">
              Sign out of all devices
            </Button>
          </form>
        </div>
      </Card>
    </PageShell>
  );
}
