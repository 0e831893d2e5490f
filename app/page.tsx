import Link from "next/link";
import { redirect } from "next/navigation";
import { Card, PageShell } from "@/components/ui/card";
import { mfaPromptUrl } from "@/lib/auth/aal";
import { authenticate } from "@/lib/auth/guard";

export default async function HomePage() {
  const current = await authenticate();
  if (!current.ok && current.reason === "mfa_required") redirect(mfaPromptUrl("/account"));
  const user = current.ok;
  return (
    <PageShell>
      <Card>
        <h1 className="text-2xl font-semibold tracking-tight">Auth Core</h1>
        <p className="mt-2 text-sm text-zinc-600">Sign in with Google or Apple and manage your account.</p>
        <Link
          href={user ? "/account" : "/login"}
          className="mt-6 inline-flex rounded-lg bg-zinc-900 px-4 py-2.5 text-sm font-medium text-white hover:bg-zinc-700"
        >
          {user ? "Go to your account" : "Sign in"}
        </Link>
      </Card>
    </PageShell>
  );
}
