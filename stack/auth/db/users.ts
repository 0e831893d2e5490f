import type { Db } from "../app.ts";
import { isoTime } from "./time.ts";

export type IdentityRow = {
  identity_id: string;
  id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  email: string | null;
};

export type FactorRow = {
  id: string;
  created_at: string;
  updated_at: string;
  status: "verified" | "unverified";
  friendly_name: string | null;
  factor_type: string;
  phone: string | null;
  last_challenged_at: string | null;
};

export type UserRecord = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  email_confirmed_at: Date | null;
  phone: string | null;
  confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  is_anonymous: boolean;
  identities: IdentityRow[];
  factors: FactorRow[];
};

/** One round trip: the user with identities and factors (as Supabase Auth's user object needs them). */
export async function findUserById(db: Db, id: string): Promise<UserRecord | null> {
  const rows = await db<UserRecord[]>`
    select u.id, u.aud, u.role, u.email, u.email_confirmed_at, u.phone, u.confirmed_at, u.last_sign_in_at,
      u.raw_app_meta_data, u.raw_user_meta_data, u.created_at, u.updated_at, u.banned_until, u.is_anonymous,
      coalesce((
        select jsonb_agg(jsonb_build_object(
          'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id, 'identity_data', i.identity_data,
          'provider', i.provider, 'last_sign_in_at', i.last_sign_in_at, 'created_at', i.created_at,
          'updated_at', i.updated_at, 'email', i.email) order by i.created_at, i.id)
        from auth.identities i where i.user_id = u.id), '[]'::jsonb) as identities,
      coalesce((
        select jsonb_agg(jsonb_build_object(
          'id', f.id, 'created_at', f.created_at, 'updated_at', f.updated_at, 'status', f.status,
          'friendly_name', f.friendly_name, 'factor_type', f.factor_type, 'phone', f.phone,
          'last_challenged_at', f.last_challenged_at) order by f.created_at, f.id)
        from auth.mfa_factors f where f.user_id = u.id), '[]'::jsonb) as factors
    from auth.users u
    where u.id = ${id}`;
  return rows[0] ?? null;
}

export function isBanned(user: { banned_until: Date | null }): boolean {
  return user.banned_until !== null && user.banned_until.getTime() > Date.now();
}

export function serializeIdentity(i: IdentityRow): Record<string, unknown> {
  return {
    identity_id: i.identity_id,
    id: i.id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
    last_sign_in_at: isoTime(i.last_sign_in_at),
    created_at: isoTime(i.created_at),
    updated_at: isoTime(i.updated_at),
    email: i.email ?? "",
  };
}

export function serializeFactor(f: FactorRow): Record<string, unknown> {
  return {
    id: f.id,
    created_at: isoTime(f.created_at),
    updated_at: isoTime(f.updated_at),
    status: f.status,
    // Go's `omitempty`: a factor enrolled without a name has no friendly_name key.
    ...(f.friendly_name ? { friendly_name: f.friendly_name } : {}),
    factor_type: f.factor_type,
    phone: f.phone ?? "",
    last_challenged_at: isoTime(f.last_challenged_at),
  };
}

/**
 * Supabase Auth's user object, key order included. `factors` is present only when the user has factors and
 * `banned_until` only while it is set; admin list pages send `identities: null`.
 */
export function serializeUser(u: UserRecord, opts: { identities?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: u.id,
    aud: u.aud ?? "",
    role: u.role ?? "",
    email: u.email ?? "",
  };
  if (u.email_confirmed_at) out.email_confirmed_at = isoTime(u.email_confirmed_at);
  out.phone = u.phone ?? "";
  if (u.confirmed_at) out.confirmed_at = isoTime(u.confirmed_at);
  if (u.last_sign_in_at) out.last_sign_in_at = isoTime(u.last_sign_in_at);
  out.app_metadata = u.raw_app_meta_data ?? {};
  out.user_metadata = u.raw_user_meta_data ?? {};
  if (u.factors.length > 0) out.factors = u.factors.map(serializeFactor);
  out.identities = opts.identities === false ? null : u.identities.map(serializeIdentity);
  out.created_at = isoTime(u.created_at);
  out.updated_at = isoTime(u.updated_at);
  if (u.banned_until) out.banned_until = isoTime(u.banned_until);
  out.is_anonymous = u.is_anonymous;
  return out;
}
