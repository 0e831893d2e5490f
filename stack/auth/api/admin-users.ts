import { randomInt, randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import type { App, Db } from "../app.ts";
import {
  deleteUser,
  deleteUserSessions,
  emailInUse,
  findOwnIdentity,
  insertAdminUser,
  listUsers,
  phoneInUse,
  setIdentityData,
  softDeleteUser,
  updateUser,
  userIdExists,
  type SortDirection,
  type UserPatch,
} from "../db/admin-users.ts";
import { writeAudit } from "../db/audit.ts";
import { insertIdentity } from "../db/identities.ts";
import { findUserById, serializeUser, type UserRecord } from "../db/users.ts";
import { AuthError, internalError, notFound, unprocessable, validationFailed } from "../errors.ts";
import { decodeGoParams, NIL_UUID_TEXT, parseGoDuration, parseGoUuid, type GoStruct } from "../go-params.ts";
import { requireAdmin } from "../guards.ts";
import { json, type Ctx, type Route } from "../http.ts";
import { goQuery, goQueryGet, pageWindow, paginationHeaders, parsePagination, type GoQuery } from "../pagination.ts";
import type { Claims } from "../tokens.ts";

const ADMIN_USER_PARAMS: GoStruct = {
  name: "AdminUserParams",
  fields: {
    id: "string",
    aud: "string",
    role: "string",
    email: "string",
    phone: "string",
    password: "*string",
    password_hash: "string",
    email_confirm: "bool",
    phone_confirm: "bool",
    user_metadata: "map",
    app_metadata: "map",
    ban_duration: "string",
  },
};

type AdminUserParams = {
  id: string;
  aud: string;
  role: string;
  email: string;
  phone: string;
  password: string | null;
  password_hash: string;
  email_confirm: boolean;
  phone_confirm: boolean;
  user_metadata: Record<string, unknown> | null;
  app_metadata: Record<string, unknown> | null;
  ban_duration: string;
};

const DEFAULT_AUDIENCE = "authenticated";
const DEFAULT_ROLE = "authenticated";
const MIN_PASSWORD_LENGTH = 6;
const DUPLICATE_EMAIL = "A user with this email address has already been registered";

/** The audience admin calls act on: `X-JWT-AUD`, else the caller token's `aud`, else the default. */
export function requestAud(ctx: Ctx, claims: Claims): string {
  const header = ctx.header("x-jwt-aud");
  if (header) return header;
  const aud = claims.aud;
  if (typeof aud === "string" && aud !== "") return aud;
  if (Array.isArray(aud) && typeof aud[0] === "string" && aud[0] !== "") return aud[0];
  return DEFAULT_AUDIENCE;
}

/** `/admin/users/{user_id}`: a malformed id is a 404 too (with `validation_failed`). */
export async function loadUser(app: App, id: string | undefined): Promise<UserRecord> {
  let userId: string;
  try {
    userId = parseGoUuid(id ?? "");
  } catch {
    throw notFound("validation_failed", "user_id must be an UUID");
  }
  const user = await findUserById(app.sql, userId);
  if (!user) throw notFound("user_not_found", "User not found");
  return user;
}

/** Supabase Auth's metadata update: keys are merged one by one and a null value removes the key. */
export function mergeGoMetadata(
  current: Record<string, unknown> | null,
  updates: Record<string, unknown>,
): Record<string, unknown> {
  if (current === null) return { ...updates };
  const out = { ...current };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function validateEmail(email: string): string {
  if (Buffer.byteLength(email, "utf8") > 255) throw validationFailed("An email address is too long");
  if (!EMAIL_FORMAT.test(email)) throw validationFailed("Unable to validate email address: invalid format");
  return email.toLowerCase();
}

export function validatePhone(phone: string): string {
  const formatted = (phone.startsWith("+") ? phone.slice(1) : phone).replaceAll(" ", "");
  if (!/^[1-9][0-9]{1,14}$/.test(formatted)) throw validationFailed("Invalid phone number format (E.164 required)");
  return formatted;
}

/** `ban_duration`: a Go duration, or "none" (and "0s") to lift a ban; "" leaves the ban as it is. */
export function banUntil(raw: string, now = Date.now()): { until: Date | null } | null {
  if (raw === "") return null;
  let nanos = 0n;
  if (raw !== "none") {
    try {
      nanos = parseGoDuration(raw);
    } catch (error) {
      throw validationFailed(`invalid format for ban duration: ${(error as Error).message}`);
    }
  }
  return { until: nanos === 0n ? null : new Date(now + Number(nanos / 1_000_000n)) };
}

/** Only `created_at` sorts, `desc` by default; several `sort` values become several ORDER BY terms. */
export function parseSort(query: GoQuery): SortDirection[] {
  const values = query.get("sort");
  if (!values || values.length === 0) return ["desc"];
  return values.map((value) => {
    const space = value.indexOf(" ");
    const field = space === -1 ? value : value.slice(0, space);
    if (field !== "created_at") throw validationFailed(`Bad Sort Parameters: bad field for sort '${field}'`);
    if (space === -1) return "desc";
    const dir = value.slice(space + 1);
    switch (dir.toUpperCase()) {
      case "ASC":
        return "asc";
      case "DESC":
        return "desc";
      default:
        throw validationFailed(`Bad Sort Parameters: bad direction for sort '${dir}', only 'asc' and 'desc' allowed`);
    }
  });
}

const BCRYPT_HASH = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;
const PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function randomPassword(): string {
  let out = "";
  for (let i = 0; i < 64; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

const hashPassword = (password: string) => bcrypt.hash(password, 10);

const userTraits = (u: { id: string; email: string | null; phone: string | null }) => ({
  user_email: u.email ?? "",
  user_id: u.id,
  user_phone: u.phone ?? "",
});

async function listHandler(app: App, ctx: Ctx) {
  const claims = await requireAdmin(app, ctx);
  const aud = requestAud(ctx, claims);
  const query = goQuery(ctx);
  const page = parsePagination(query);
  const sort = parseSort(query);
  const window = pageWindow(page) ?? { limit: 0, offset: 0 };
  const { users, count } = await listUsers(app.sql, { aud, filter: goQueryGet(query, "filter"), sort, ...window });
  return json(
    200,
    { users: users.map((u) => serializeUser(u, { identities: false })), aud },
    paginationHeaders(ctx.path, query, page, BigInt(count)),
  );
}

async function createHandler(app: App, ctx: Ctx) {
  const claims = await requireAdmin(app, ctx);
  const p = (await decodeGoParams(ctx, ADMIN_USER_PARAMS)) as AdminUserParams;
  const aud = p.aud !== "" ? p.aud : requestAud(ctx, claims);
  if (p.email === "" && p.phone === "") throw validationFailed("Cannot create a user without either an email or phone");
  const providers: string[] = [];
  let email: string | null = null;
  let phone: string | null = null;
  if (p.email !== "") {
    email = validateEmail(p.email);
    if (await emailInUse(app.sql, email, aud, null)) throw unprocessable("email_exists", DUPLICATE_EMAIL);
    providers.push("email");
  }
  if (p.phone !== "") {
    phone = validatePhone(p.phone);
    if (await phoneInUse(app.sql, phone, aud, null)) {
      throw unprocessable("phone_exists", "Phone number already registered by another user");
    }
    providers.push("phone");
  }
  if (p.password !== null && p.password_hash !== "") {
    throw validationFailed("Only a password or a password hash should be provided");
  }
  let encryptedPassword: string;
  if (p.password_hash !== "") {
    if (!BCRYPT_HASH.test(p.password_hash)) throw internalError("Error creating user");
    encryptedPassword = p.password_hash;
  } else {
    const password = p.password !== null && p.password !== "" ? p.password : randomPassword();
    if (Buffer.byteLength(password, "utf8") > 72) throw validationFailed("bcrypt: password length exceeds 72 bytes");
    encryptedPassword = await hashPassword(password);
  }
  let id: string = randomUUID();
  if (p.id !== "") {
    try {
      id = parseGoUuid(p.id);
    } catch {
      throw validationFailed("ID must conform to the uuid v4 format");
    }
    if (id === NIL_UUID_TEXT) throw validationFailed("ID cannot be a nil uuid");
  }
  const ban = banUntil(p.ban_duration);

  const created = await app.sql.begin(async (tx) => {
    if (await userIdExists(tx, id)) throw internalError("Database error creating new user");
    await insertAdminUser(tx, {
      id,
      aud,
      email,
      phone,
      encryptedPassword,
      userMetadata: p.user_metadata ?? {},
      appMetadata: { provider: providers[0], providers },
    });
    if (email !== null) {
      await insertIdentity(tx, {
        id: randomUUID(),
        userId: id,
        provider: "email",
        providerId: id,
        identityData: { email, email_verified: false, phone_verified: false, sub: id },
      });
    }
    if (phone !== null) {
      await insertIdentity(tx, {
        id: randomUUID(),
        userId: id,
        provider: "phone",
        providerId: id,
        identityData: { email_verified: false, phone, phone_verified: false, sub: id },
      });
    }
    await writeAudit(tx, {
      actor: { kind: "service_role" },
      action: "user_signedup",
      logType: "team",
      traits: userTraits({ id, email, phone }),
    });
    const patch: UserPatch = { role: p.role !== "" ? p.role.trim() : DEFAULT_ROLE };
    if (p.app_metadata !== null) {
      patch.raw_app_meta_data = mergeGoMetadata({ provider: providers[0], providers }, p.app_metadata);
    }
    if (p.email_confirm) {
      patch.email_confirmed_at = "now";
      patch.raw_user_meta_data = mergeGoMetadata(p.user_metadata ?? {}, { email_verified: true });
    }
    if (p.phone_confirm) patch.phone_confirmed_at = "now";
    if (ban) patch.banned_until = ban.until;
    await updateUser(tx, id, patch);
    return findUserById(tx, id);
  });
  if (!created) throw internalError("Database error creating new user");
  // Supabase Auth answers with the user it built in memory: `confirmed_at`, a column Postgres derives, and
  // `last_sign_in_at` are not read back, so a new user has neither.
  return json(200, serializeUser({ ...created, confirmed_at: null, last_sign_in_at: null }));
}

async function updateHandler(app: App, ctx: Ctx) {
  await requireAdmin(app, ctx);
  const loaded = await loadUser(app, ctx.params.id);
  const p = (await decodeGoParams(ctx, ADMIN_USER_PARAMS)) as AdminUserParams;
  const email = p.email !== "" ? validateEmail(p.email) : "";
  const phone = p.phone !== "" ? validatePhone(p.phone) : "";
  const ban = banUntil(p.ban_duration);
  let encryptedPassword: string | null = null;
  if (p.password !== null) {
    if (Buffer.byteLength(p.password, "utf8") < MIN_PASSWORD_LENGTH) {
      throw unprocessable("weak_password", `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    if (Buffer.byteLength(p.password, "utf8") > 72) {
      throw internalError("Unexpected failure, please check server logs for more information");
    }
    encryptedPassword = await hashPassword(p.password);
  }

  let updated: UserRecord | null;
  try {
    updated = await app.sql.begin(async (tx) => {
      await tx`select id from auth.users where id = ${loaded.id} for update`;
      const user = (await findUserById(tx, loaded.id)) ?? loaded;
      const patch: UserPatch = {};
      let userMetadata = user.raw_user_meta_data;
      let userMetadataChanged = false;
      if (p.role !== "") patch.role = p.role.trim();
      if (p.email_confirm) {
        patch.email_confirmed_at = "now";
        userMetadata = mergeGoMetadata(userMetadata, { email_verified: true });
        userMetadataChanged = true;
      }
      if (p.phone_confirm) patch.phone_confirmed_at = "now";
      if (encryptedPassword !== null) {
        patch.encrypted_password = encryptedPassword;
        await deleteUserSessions(tx, user.id);
      }
      if (email !== "") {
        await upsertOwnIdentity(tx, user.id, "email", { email, email_verified: p.email_confirm });
        patch.email = email;
      }
      if (phone !== "") {
        await upsertOwnIdentity(tx, user.id, "phone", { phone, phone_verified: p.phone_confirm });
        patch.phone = phone;
      }
      if (p.app_metadata !== null) patch.raw_app_meta_data = mergeGoMetadata(user.raw_app_meta_data, p.app_metadata);
      if (p.user_metadata !== null) {
        userMetadata = mergeGoMetadata(userMetadata, p.user_metadata);
        userMetadataChanged = true;
      }
      if (userMetadataChanged) patch.raw_user_meta_data = userMetadata;
      if (ban) patch.banned_until = ban.until;
      await updateUser(tx, user.id, patch);
      await writeAudit(tx, {
        actor: { kind: "service_role" },
        action: "user_modified",
        logType: "user",
        traits: userTraits({ id: user.id, email: patch.email ?? user.email, phone: patch.phone ?? user.phone }),
      });
      return findUserById(tx, user.id);
    });
  } catch (error) {
    if (error instanceof AuthError) throw error;
    console.error(error);
    throw internalError("Error updating user");
  }
  if (!updated) throw notFound("user_not_found", "User not found");
  // The answer is the user as loaded and then changed in memory: `confirmed_at` (derived by Postgres) keeps
  // the value it had before this update.
  return json(200, serializeUser({ ...updated, confirmed_at: loaded.confirmed_at }));
}

/** The `email`/`phone` identity follows an admin change of the address (created when missing). */
async function upsertOwnIdentity(
  tx: Db,
  userId: string,
  provider: "email" | "phone",
  data: Record<string, unknown>,
): Promise<void> {
  const identity = await findOwnIdentity(tx, userId, provider);
  if (identity) {
    await setIdentityData(tx, identity.id, mergeGoMetadata(identity.identity_data, data));
    return;
  }
  await insertIdentity(tx, {
    id: randomUUID(),
    userId,
    provider,
    providerId: userId,
    identityData: { email_verified: false, phone_verified: false, ...data, sub: userId },
  });
}

async function deleteHandler(app: App, ctx: Ctx) {
  await requireAdmin(app, ctx);
  const user = await loadUser(app, ctx.params.id);
  // An empty body is a hard delete; any other body is decoded (and can fail) like every request body.
  let soft = false;
  if ((await ctx.text()) !== "") {
    const p = await decodeGoParams(ctx, { name: "adminUserDeleteParams", fields: { should_soft_delete: "bool" } });
    soft = p.should_soft_delete === true;
  }
  await app.sql.begin(async (tx) => {
    // The audit entry comes first: a repeated soft delete records the request although it changes nothing.
    await writeAudit(tx, {
      actor: { kind: "service_role" },
      action: "user_deleted",
      logType: "team",
      traits: userTraits(user),
    });
    if (!soft) await deleteUser(tx, user.id);
    else if (user.deleted_at === null) await softDeleteUser(tx, user.id);
  });
  return json(200, {});
}

export function adminUserRoutes(app: App): Route[] {
  return [
    { method: "GET", pattern: "/admin/users", handler: (ctx) => listHandler(app, ctx) },
    { method: "POST", pattern: "/admin/users", handler: (ctx) => createHandler(app, ctx) },
    {
      method: "*",
      pattern: "/admin/users",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        return { status: 405 };
      },
    },
    {
      method: "GET",
      pattern: "/admin/users/:id",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        return json(200, serializeUser(await loadUser(app, ctx.params.id)));
      },
    },
    { method: "PUT", pattern: "/admin/users/:id", handler: (ctx) => updateHandler(app, ctx) },
    { method: "DELETE", pattern: "/admin/users/:id", handler: (ctx) => deleteHandler(app, ctx) },
    {
      method: "*",
      pattern: "/admin/users/:id",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        await loadUser(app, ctx.params.id);
        return { status: 405 };
      },
    },
  ];
}
