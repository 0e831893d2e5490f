import "server-only";
import type { SignedInUser } from "../auth/guard";
import { withRls, type Tx } from "../db/rls";
import { avatarOptions, emailProvider, type AvatarOption } from "./avatar-choices";

/** One of the user's linked identities (a Google or Apple account), as the account pages show it. */
export type LinkedIdentity = {
  id: string;
  provider: string;
  email: string | null;
  picture: string | null;
  createdAt: string | null;
  lastSignInAt: string | null;
};

/** Everything the Profile section shows; what the page renders first and GET /api/account/profile returns. */
export type AccountProfile = {
  /** The stored display name, else the name the provider sent at sign-in, else null. */
  displayName: string | null;
  avatarUrl: string | null;
  email: string;
  /** The provider the email came from. */
  emailProvider: string | null;
  identities: LinkedIdentity[];
  avatarOptions: AvatarOption[];
};

type IdentityRow = {
  id: string;
  provider: string;
  email: string | null;
  picture: string | null;
  created_at: Date | null;
  last_sign_in_at: Date | null;
};

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * The Profile section's data, read in the caller's RLS-scoped transaction: both queries are sent at once on
 * it (one round trip). private.list_my_identities() returns the caller's identities only, and nothing when
 * the session is no longer active.
 */
export async function readAccountProfile(tx: Tx, user: Pick<SignedInUser, "userId" | "email" | "claims">): Promise<AccountProfile> {
  const [profiles, identityRows] = await Promise.all([
    tx<{ display_name: string | null; avatar_url: string | null; avatar_chosen: boolean }[]>`
      select display_name, avatar_url, avatar_chosen from public.profiles where id = ${user.userId}`,
    tx<IdentityRow[]>`
      select id, provider, email, picture, created_at, last_sign_in_at from private.list_my_identities()`,
  ]);
  const profile = profiles[0];
  const meta = user.claims.user_metadata ?? {};
  const app = user.claims.app_metadata ?? {};
  const identities: LinkedIdentity[] = identityRows.map((r) => ({
    id: r.id,
    provider: r.provider,
    email: r.email,
    picture: r.picture,
    createdAt: r.created_at?.toISOString() ?? null,
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
  }));
  const avatarFromProvider = profile?.avatar_chosen ? null : str(meta.avatar_url);
  return {
    displayName: profile?.display_name ?? str(meta.full_name) ?? str(meta.name),
    avatarUrl: profile?.avatar_url ?? avatarFromProvider,
    email: user.email,
    emailProvider: emailProvider(identities, user.email, str(app.provider)),
    identities,
    avatarOptions: avatarOptions(identities),
  };
}

/** The signed-in user's Profile section data, through RLS as that user (its own transaction). */
export async function getAccountProfile(user: Pick<SignedInUser, "userId" | "email" | "claims">): Promise<AccountProfile> {
  return withRls(user.claims, (tx) => readAccountProfile(tx, user));
}
