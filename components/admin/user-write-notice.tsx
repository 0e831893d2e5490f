import Link from "next/link";

/**
 * In place of the write controls, for an admin without a verified authenticator: every admin write needs a
 * two-factor session, so the way forward is to set one up, then come back to `returnTo`.
 */
export function UserWriteNotice({ returnTo, detail }: { returnTo: `/admin/${string}`; detail: string }) {
  // returnTo is an admin path built from a validated uuid or a fixed segment: it needs no escaping.
  const href = `/account/two-factor?next=${returnTo}`;
  return (
    <div className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="mfa-enrolment-notice">
      <p className="font-medium">
        <Link href={href} className="underline underline-offset-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900">
          Set up two-factor authentication to make changes
        </Link>
      </p>
      <p className="mt-1">{detail}</p>
    </div>
  );
}
