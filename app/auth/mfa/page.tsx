import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { MfaPromptForm } from "@/components/auth/mfa-prompt-form";
import { Button } from "@/components/ui/button";
import { Card, PageShell } from "@/components/ui/card";
import { authenticate } from "@/lib/auth/guard";
import { safeNextPath } from "@/lib/auth/redirect";

export const metadata: Metadata = { title: "Enter your code" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The second step of signing in for a user with an authenticator app: the session is signed in with the
 * provider (aal1) but not yet fully; every other page sends it here. A session that has given its code goes
 * on to `next`; no session goes to /login.
 */
export default async function MfaPromptPage({ searchParams }: { searchParams: SearchParams }) {
  const next = safeNextPath(one((await searchParams).next), "/account");
  const full = await authenticate();
  if (full.ok) redirect(next);
  if (full.reason !== "mfa_required") redirect(`/login?next=${encodeURIComponent(next)}`);
  return (
    <PageShell>
      <Card>
        <h1 className="text-2xl font-semibold tracking-tight">Enter your code</h1>
        <p className="mt-2 text-sm text-zinc-600">Open your authenticator app and enter the 6-digit code it shows for this account.</p>
        <MfaPromptForm next={next} />
        <form method="post" action="/auth/sign-out" className="mt-4">
          <input type="hidden" name="scope" value="local" />
          <Button type="submit" variant="secondary">
            Sign out
          </Button>
        </form>
      </Card>
    </PageShell>
  );
}
