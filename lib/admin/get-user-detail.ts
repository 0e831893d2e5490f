import "server-only";
import { z } from "zod";
import type { AuthContext } from "../auth/guard";
import { isAppRole, type AppRole } from "../auth/permissions";
import { withRls, type Tx } from "../db/rls";
import { AppError, type ActionResult } from "../errors";
import { assertCan } from "./check-permission";
import { runAdminOperation } from "./run-operation";

/**
 * A user id as the URL carries it: 8-4-4-4-12 hex digits (any version, as Postgres's uuid type reads them),
 * lower-cased. Anything else is no user at all.
 */
export const adminUserId = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "not a user id")
  .transform((id) => id.toLowerCase());

/** The user id from a URL segment, or null when it cannot be one. */
export function parseAdminUserId(value: unknown): string | null {
  const parsed = adminUserId.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export type AdminUserIdentity = {
  id: string;
  provider: string;
  email: string | null;
  linkedAt: string | null;
  lastSignInAt: string | null;
};

export type AdminUserSession = {
  id: string;
  createdAt: string | null;
  /** The later of the last token refresh and the last change to the session. */
  lastActiveAt: string | null;
  /** As the client sent it (at most 1,024 characters); parse it for display (lib/account/device.ts). */
  userAgent: string | null;
  ip: string | null;
  aal: "aal1" | "aal2" | "aal3" | null;
};

export type AdminUserFactor = {
  id: string;
  friendlyName: string | null;
  /** totp, phone or webauthn. */
  type: string;
  /** verified or unverified. */
  status: string;
  createdAt: string | null;
};

/** One user as the staff user page shows it. Never a secret: no factor secret or phone, no token. */
export type AdminUserDetail = {
  id: string;
  email: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  createdAt: string | null;
  lastSignInAt: string | null;
  bannedUntil: string | null;
  /** Banned at the time of the read (banned_until in the future). */
  banned: boolean;
  /** null: no role row, which grants nothing (the same as `user`). */
  role: AppRole | null;
  identities: AdminUserIdentity[];
  sessions: AdminUserSession[];
  factors: AdminUserFactor[];
};

type Json = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** A jsonb time ("2026-12-06T10:00:00.123456+00:00") as an ISO string in UTC, or null. */
function time(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const AAL = new Set(["aal1", "aal2", "aal3"]);

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === "object") as Json[]) : []);

function toDetail(row: Json): AdminUserDetail {
  const bannedUntil = time(row.banned_until);
  return {
    id: String(row.id),
    email: text(row.email),
    displayName: text(row.display_name),
    avatarUrl: text(row.avatar_url),
    createdAt: time(row.created_at),
    lastSignInAt: time(row.last_sign_in_at),
    bannedUntil,
    banned: bannedUntil !== null && new Date(bannedUntil).getTime() > Date.now(),
    role: isAppRole(row.role) ? row.role : null,
    identities: list(row.identities).map((i) => ({
      id: String(i.id),
      provider: String(i.provider),
      email: text(i.email),
      linkedAt: time(i.linked_at),
      lastSignInAt: time(i.last_sign_in_at),
    })),
    sessions: list(row.sessions).map((s) => ({
      id: String(s.id),
      createdAt: time(s.created_at),
      lastActiveAt: time(s.last_active_at),
      userAgent: text(s.user_agent),
      ip: text(s.ip),
      aal: typeof s.aal === "string" && AAL.has(s.aal) ? (s.aal as AdminUserSession["aal"]) : null,
    })),
    factors: list(row.factors).map((f) => ({
      id: String(f.id),
      friendlyName: text(f.friendly_name),
      type: String(f.factor_type),
      status: String(f.status),
      createdAt: time(f.created_at),
    })),
  };
}

/**
 * One user's details in the caller's RLS-scoped transaction (`withRls`, or a page's `withUser`), or null when
 * there is no such user. Postgres decides: private.get_user_detail() refuses (42501) a caller whose current
 * role lacks users.read or whose session is not live. `userId` must already be a valid id (adminUserId).
 */
export async function readUserDetail(tx: Tx, userId: string): Promise<AdminUserDetail | null> {
  const [row] = await tx<{ detail: Json | null }[]>`select private.get_user_detail(${userId}::uuid) as detail`;
  return row?.detail ? toDetail(row.detail) : null;
}

/**
 * One user's details as the staff member `auth` (users.read: the guard's role up front, then Postgres on the
 * current role and session). A malformed id is `invalid_input`, an unknown one `not_found`.
 */
export async function getUserDetail(auth: AuthContext, userId: unknown): Promise<ActionResult<{ user: AdminUserDetail }>> {
  return runAdminOperation(async () => {
    const id = adminUserId.parse(userId);
    assertCan(auth, "users.read");
    const user = await withRls(auth.claims, (tx) => readUserDetail(tx, id));
    if (!user) throw new AppError({ code: "not_found", message: "No such user" });
    return { ok: true as const, user };
  });
}
