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
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
  identities: IdentityRow[];
  factors: FactorRow[];
};

/** The `auth.users` columns of the user object (`u.` qualified), shared by every query that builds one. */
export const USER_COLUMNS = `u.id, u.aud, u.role, u.email, u.email_confirmed_at, u.invited_at, u.phone, u.phone_confirmed_at,
  u.confirmation_sent_at, u.confirmed_at, u.recovery_sent_at, u.email_change, u.email_change_sent_at, u.phone_change,
  u.phone_change_sent_at, u.reauthentication_sent_at, u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data,
  u.created_at, u.updated_at, u.banned_until, u.deleted_at, u.is_anonymous`;

/** One round trip: the user with identities and factors (as Supabase Auth's user object needs them). */
export async function findUserById(db: Db, id: string): Promise<UserRecord | null> {
  const rows = await db<UserRecord[]>`
    select ${db.unsafe(USER_COLUMNS)},
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

/** Go's `omitempty` on an identity: an empty `identity_data` (a soft-deleted identity) and a null email are left out. */
export function serializeIdentity(i: IdentityRow): Record<string, unknown> {
  const out: Record<string, unknown> = { identity_id: i.identity_id, id: i.id, user_id: i.user_id };
  if (i.identity_data && Object.keys(i.identity_data).length > 0) out.identity_data = i.identity_data;
  out.provider = i.provider;
  out.last_sign_in_at = isoTime(i.last_sign_in_at);
  out.created_at = isoTime(i.created_at);
  out.updated_at = isoTime(i.updated_at);
  if (i.email) out.email = i.email;
  return out;
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
 * Supabase Auth's user object, key order included. Timestamps and pending changes follow Go's `omitempty`
 * (absent while unset), `factors` is present only when the user has factors, and admin list pages send
 * `identities: null`.
 */
export function serializeUser(u: UserRecord, opts: { identities?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const time = (key: string, value: Date | null) => {
    if (value) out[key] = isoTime(value);
  };
  const text = (key: string, value: string | null) => {
    if (value) out[key] = value;
  };
  out.id = u.id;
  out.aud = u.aud ?? "";
  out.role = u.role ?? "";
  out.email = u.email ?? "";
  time("email_confirmed_at", u.email_confirmed_at);
  time("invited_at", u.invited_at);
  out.phone = u.phone ?? "";
  time("phone_confirmed_at", u.phone_confirmed_at);
  time("confirmation_sent_at", u.confirmation_sent_at);
  time("confirmed_at", u.confirmed_at);
  time("recovery_sent_at", u.recovery_sent_at);
  text("new_email", u.email_change);
  time("email_change_sent_at", u.email_change_sent_at);
  text("new_phone", u.phone_change);
  time("phone_change_sent_at", u.phone_change_sent_at);
  time("reauthentication_sent_at", u.reauthentication_sent_at);
  time("last_sign_in_at", u.last_sign_in_at);
  out.app_metadata = u.raw_app_meta_data ?? {};
  out.user_metadata = u.raw_user_meta_data ?? {};
  if (u.factors.length > 0) out.factors = u.factors.map(serializeFactor);
  out.identities = opts.identities === false ? null : u.identities.map(serializeIdentity);
  out.created_at = isoTime(u.created_at);
  out.updated_at = isoTime(u.updated_at);
  time("banned_until", u.banned_until);
  time("deleted_at", u.deleted_at);
  out.is_anonymous = u.is_anonymous;
  return out;
}
