import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ProviderButtons } from "@/components/auth/provider-buttons";
import { Card, PageShell } from "@/components/ui/card";
import { mfaPromptUrl } from "@/lib/auth/aal";
import { loginMessage } from "@/lib/auth/login-messages";
import { safeNextPath } from "@/lib/auth/redirect";
import { authenticate } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNextPath(one(params.next), "/account");
  const current = await authenticate();
  if (current.ok) redirect(next);
  if (current.reason === "mfa_required") redirect(mfaPromptUrl(next));
  const message = loginMessage({ error: one(params.error), reason: one(params.reason), signed_out: one(params.signed_out) });
  return (
    <PageShell>
      <Card>
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-2 text-sm text-zinc-600">Use your Google or Apple account to continue.</p>
        {message ? (
          <p role="alert" data-testid="login-message" className="mt-6 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            {message}
          </p>
        ) : null}
        <div className="mt-8">
          <ProviderButtons next={next} />
        </div>
      </Card>
    </PageShell>
  );
}
