import type { AdminUserDetail } from "@/lib/admin/get-user-detail";
import { formatWhen } from "@/lib/account/session-labels";
import { UserSection } from "./user-section";

const PROVIDERS: Record<string, string> = { google: "Google", apple: "Apple", email: "Email and password", phone: "Phone" };

/** Identities: each way the user signs in, with its email and when it was linked. Read-only. */
export function UserIdentitiesSection({ user }: { user: AdminUserDetail }) {
  return (
    <UserSection title="Identities" testId="section-identities">
      {user.identities.length === 0 ? (
        <p className="text-sm text-zinc-600">No sign-in identity.</p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Sign-in identities">
          {user.identities.map((i) => (
            <li key={i.id} className="rounded-lg border border-zinc-200 p-3 text-sm" data-testid="identity" data-provider={i.provider}>
              <p className="font-medium">{PROVIDERS[i.provider] ?? i.provider}</p>
              <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                <dt className="text-zinc-600">Email</dt>
                <dd className="break-all">{i.email ?? "—"}</dd>
                <dt className="text-zinc-600">Linked</dt>
                <dd>{formatWhen(i.linkedAt)}</dd>
                <dt className="text-zinc-600">Last sign-in</dt>
                <dd>{formatWhen(i.lastSignInAt)}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </UserSection>
  );
}
