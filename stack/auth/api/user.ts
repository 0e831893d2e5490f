import bcrypt from "bcryptjs";
import type { App } from "../app.ts";
import { writeAudit, userActor } from "../db/audit.ts";
import { findUserById, serializeUser } from "../db/users.ts";
import { forbidden, unprocessable, validationFailed } from "../errors.ts";
import { requireUser } from "../guards.ts";
import { json, type Route } from "../http.ts";

/** Merges `data` into user_metadata key by key; a null value removes the key. */
export function mergeMetadata(current: Record<string, unknown> | null, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
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
    {
      method: "PUT",
      pattern: "/user",
      handler: async (ctx) => {
        const { user } = await requireUser(app, ctx);
        const body = await ctx.json();
        if (body.app_metadata !== undefined) throw forbidden("not_admin", "Updating app_metadata requires admin privileges");
        if (body.data !== undefined && (body.data === null || typeof body.data !== "object" || Array.isArray(body.data))) {
          throw validationFailed("data must be an object");
        }
        if (body.email !== undefined || body.phone !== undefined) {
          throw unprocessable("email_change_not_supported", "Changing the email address or phone number is not supported by the local Auth server");
        }
        const password = body.password;
        if (password !== undefined && (typeof password !== "string" || password.length < 6)) {
          throw unprocessable("weak_password", "Password should be at least 6 characters.");
        }
        const updated = await app.sql.begin(async (tx) => {
          if (body.data) {
            const merged = mergeMetadata(user.raw_user_meta_data, body.data as Record<string, unknown>);
            await tx`update auth.users set raw_user_meta_data = ${tx.json(merged as never)}, updated_at = now() where id = ${user.id}`;
          }
          if (typeof password === "string") {
            const hash = await bcrypt.hash(password, 10);
            await tx`update auth.users set encrypted_password = ${hash}, updated_at = now() where id = ${user.id}`;
          }
          const fresh = await findUserById(tx, user.id);
          if (!fresh) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
          await writeAudit(tx, { actor: userActor(fresh), action: "user_modified", logType: "user" });
          return fresh;
        });
        return json(200, serializeUser(updated));
      },
    },
  ];
}
