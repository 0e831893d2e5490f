"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { Button } from "../ui/button";

type Result = { ok: true } | { ok: false; error: { code: string; message: string } };

async function saveDisplayName(displayName: string): Promise<Result> {
  const res = await fetch("/api/account/profile", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ displayName }),
  });
  const body = (await res.json().catch(() => null)) as Result | null;
  return body ?? { ok: false, error: { code: "internal", message: "Something went wrong. Please try again." } };
}

/** Edits the display name through the app's own route handler; the page re-renders from the server. */
export function DisplayNameForm({ initial }: { initial: string }) {
  const router = useRouter();
  const [value, setValue] = useState(initial);
  // Until hydrated, a click would submit the bare form and reload the page; keep Save disabled until then.
  const hydrated = useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
  const mutation = useMutation({
    mutationFn: saveDisplayName,
    onSuccess: (result) => {
      if (result.ok) router.refresh();
    },
  });
  const error = mutation.data && !mutation.data.ok ? mutation.data.error.message : null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(value);
  };
  return (
    <form onSubmit={onSubmit} className="mt-6 flex flex-col gap-2">
      <label htmlFor="display-name" className="text-sm text-zinc-600">
        Display name
      </label>
      <div className="flex gap-2">
        <input
          id="display-name"
          name="displayName"
          value={value}
          maxLength={80}
          onChange={(e) => setValue(e.target.value)}
          className="min-w-0 flex-1 rounded-lg border border-zinc-300 px-3 py-2 text-sm"
        />
        <Button type="submit" variant="secondary" className="w-auto" disabled={!hydrated || mutation.isPending}>
          {mutation.isPending ? "Saving…" : "Save"}
        </Button>
      </div>
      {error ? (
        <p role="alert" data-testid="display-name-error" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {mutation.data?.ok ? (
        <p data-testid="display-name-saved" className="text-sm text-emerald-700">
          Saved.
        </p>
      ) : null}
    </form>
  );
}
