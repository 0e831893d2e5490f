"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { normalizeTotpCode } from "@/lib/auth/aal";
import { Button } from "../ui/button";

type Answer = { ok?: boolean; next?: string; error?: { code?: string; message?: string } } | null;

/**
 * The code prompt's form: the code goes to POST /auth/mfa/verify (same origin, the session cookie along);
 * a right code continues to where the server says, a wrong one stays here with the reason.
 */
export function MfaPromptForm({ next }: { next: string }) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { code: useId(), error: useId() };
  const router = useRouter();

  const submit = async () => {
    if (normalizeTotpCode(code) === null) {
      setError("Enter the 6-digit code from your authenticator app");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/auth/mfa/verify", {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ code, next }),
      });
      const body = (await res.json().catch(() => null)) as Answer;
      if (res.ok && body?.ok === true && typeof body.next === "string" && body.next.startsWith("/") && !body.next.startsWith("//")) {
        router.replace(body.next);
        return;
      }
      if (body?.error?.code === "unauthenticated") {
        router.replace(`/login?reason=session_expired&next=${encodeURIComponent(next)}`);
        return;
      }
      setError(body?.error?.message ?? `Something went wrong (${res.status}). Please try again.`);
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
    }
    setBusy(false);
  };

  return (
    <form
      className="mt-6 flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div>
        <label htmlFor={ids.code} className="text-sm font-medium">
          Code from your authenticator app
        </label>
        <input
          id={ids.code}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={10}
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? ids.error : undefined}
          className="mt-1 block w-full rounded-lg border border-zinc-300 px-3 py-2 text-lg tracking-widest focus:border-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
        />
        {error ? (
          <p id={ids.error} role="alert" data-testid="mfa-error" className="mt-1 text-sm text-red-700">
            {error}
          </p>
        ) : null}
      </div>
      <Button type="submit" disabled={busy}>
        Verify
      </Button>
    </form>
  );
}
