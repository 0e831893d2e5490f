import bcrypt from "bcryptjs";
import type { App, Db } from "../app.ts";
import { writeAudit, userActor } from "../db/audit.ts";
import { emailInUse, phoneInUse } from "../db/admin-users.ts";
import { findUserById, serializeUser, type UserRecord } from "../db/users.ts";
import { AuthError, forbidden, internalError, unprocessable } from "../errors.ts";
import { decodeGoParams, type GoStruct } from "../go-params.ts";
import { requireUser } from "../guards.ts";
import { json, type Ctx, type Route } from "../http.ts";
import { assertStrongPassword } from "../password.ts";
import { mergeGoMetadata, requestAud, validateEmail, validatePhone } from "./admin-users.ts";

const USER_UPDATE_PARAMS: GoStruct = {
  name: "UserUpdateParams",
  fields: {
    email: "string",
    password: "*string",
    nonce: "string",
    data: "map",
    app_metadata: "map",
    phone: "string",
    channel: "string",
    code_challenge: "string",
    code_challenge_method: "string",
  },
};

type UserUpdateParams = {
  email: string;
  password: string | null;
  data: Record<string, unknown> | null;
  app_metadata: Record<string, unknown> | null;
  phone: string;
};

/** How often one user may ask for an email change (Supabase Auth's SMTP max frequency). */
export const EMAIL_CHANGE_INTERVAL_SECONDS = 60;

/** Seconds left before another email change may be requested, or 0. */
export function emailChangeWait(sentAt: Date | null, now = Date.now()): number {
  if (!sentAt) return 0;
  const ready = sentAt.getTime() + EMAIL_CHANGE_INTERVAL_SECONDS * 1000;
  return ready > now ? Math.ceil((ready - now) / 1000) : 0;
}

async function sessionAal(db: Db, sessionId: string | null): Promise<string | null> {
  if (!sessionId) return null;
  const rows = await db<{ aal: string | null }[]>`select aal::text as aal from auth.sessions where id = ${sessionId}`;
  return rows[0]?.aal ?? null;
}

const hasVerifiedFactor = (user: UserRecord) => user.factors.some((f) => f.status === "verified");

/**
 * `PUT /user`, in Supabase Auth's order: decode the body (Go's messages), validate the new email, phone and
 * password, refuse `app_metadata` (admins only), require AAL2 for credential changes when MFA is on, refuse
 * addresses another user holds and an unchanged password, then write everything in one transaction. A new
 * password clears pending confirmations and signs out every other session; a new email is stored as a
 * pending change (`new_email`, `email_change_sent_at`) until confirmed — no mail is sent locally.
 */
async function updateUser(app: App, ctx: Ctx) {
  const { user, sessionId, claims } = await requireUser(app, ctx);
  const p = (await decodeGoParams(ctx, USER_UPDATE_PARAMS)) as UserUpdateParams;
  const email = p.email !== "" ? validateEmail(p.email) : "";
  const phone = p.phone !== "" ? validatePhone(p.phone) : "";
  if (p.password !== null) assertStrongPassword(app.config, p.password);
  if (p.app_metadata !== null) throw forbidden("not_admin", "Updating app_metadata requires admin privileges");

  const changesEmail = email !== "" && email !== (user.email ?? "");
  const changesPhone = phone !== "" && phone !== (user.phone ?? "");
  const changesPassword = p.password !== null && p.password !== "";
  if (hasVerifiedFactor(user) && (changesEmail || changesPhone || changesPassword)) {
    if ((await sessionAal(app.sql, sessionId)) !== "aal2") {
      throw new AuthError(401, "insufficient_aal", "AAL2 session is required to update email or password when MFA is enabled.");
    }
  }
  const aud = requestAud(ctx, claims);
  if (changesEmail && (await emailInUse(app.sql, email, aud, user.id))) {
    throw unprocessable("email_exists", "A user with this email address has already been registered");
  }
  if (changesPhone && (await phoneInUse(app.sql, phone, aud, user.id))) {
    throw unprocessable("phone_exists", "Phone number already registered by another user");
  }
  let passwordHash: string | null = null;
  if (p.password !== null && p.password !== "") {
    const current = await app.sql<{ encrypted_password: string | null }[]>`
      select encrypted_password from auth.users where id = ${user.id}`;
    const stored = current[0]?.encrypted_password;
    if (stored && (await bcrypt.compare(p.password, stored))) {
      throw unprocessable("same_password", "New password should be different from the old password.");
    }
    passwordHash = await bcrypt.hash(p.password, 10);
  }
  if (changesPhone) {
    // A phone change is confirmed by SMS; no SMS provider is configured, as on a project with phone sign-in off.
    throw internalError("Unable to get SMS provider");
  }

  const updated = await app.sql.begin(async (tx) => {
    if (p.password !== null) {
      await tx`
        update auth.users set encrypted_password = ${passwordHash}, confirmation_token = '', confirmation_sent_at = null,
          recovery_token = '', recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
          email_change_sent_at = null, phone_change_token = '', phone_change_sent_at = null,
          reauthentication_token = '', reauthentication_sent_at = null, updated_at = now()
        where id = ${user.id}`;
      await tx`delete from auth.sessions where user_id = ${user.id} and id is distinct from ${sessionId}::uuid`;
      await writeAudit(tx, { actor: userActor(user), action: "user_updated_password", logType: "user" });
    }
    if (p.data !== null) {
      const merged = mergeGoMetadata(user.raw_user_meta_data, p.data);
      await tx`update auth.users set raw_user_meta_data = ${tx.json(merged as never)}, updated_at = now() where id = ${user.id}`;
    }
    if (changesEmail) {
      const [row] = await tx<{ email_change_sent_at: Date | null }[]>`
        select email_change_sent_at from auth.users where id = ${user.id} for update`;
      const wait = emailChangeWait(row?.email_change_sent_at ?? null);
      if (wait > 0) {
        throw new AuthError(429, "over_email_send_rate_limit", `For security purposes, you can only request this after ${wait} seconds.`);
      }
      await tx`
        update auth.users set email_change = ${email}, email_change_sent_at = now(),
          email_change_token_new = encode(sha224(convert_to(${email} || gen_random_uuid()::text, 'UTF8')), 'hex'),
          email_change_token_current = case when coalesce(email, '') = '' then ''
            else encode(sha224(convert_to(email || gen_random_uuid()::text, 'UTF8')), 'hex') end,
          email_change_confirm_status = 0, updated_at = now()
        where id = ${user.id}`;
    }
    const fresh = await findUserById(tx, user.id);
    if (!fresh) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
    await writeAudit(tx, { actor: userActor(fresh), action: "user_modified", logType: "user" });
    return fresh;
  });
  return json(200, serializeUser(updated));
}

export function userRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/user",
      handler: async (ctx) => {
        const { user } = await requireUser(app, ctx);
        return json(200, serializeUser(user));
      },
    },
    { method: "PUT", pattern: "/user", handler: (ctx) => updateUser(app, ctx) },
  ];
}
