import type { App } from "../app.ts";
import { userActor, writeAudit } from "../db/audit.ts";
import { deleteFactor, findOwnedFactor, listFactors, renameFactor, setFactorPhone } from "../db/factors.ts";
import { downgradeFactorSessions } from "../db/sessions.ts";
import { serializeFactor } from "../db/users.ts";
import { internalError } from "../errors.ts";
import { decodeGoParams } from "../go-params.ts";
import { requireAdmin } from "../guards.ts";
import { json, type Ctx, type Route } from "../http.ts";
import { loadUser, validatePhone } from "./admin-users.ts";
import { loadOwnedFactor } from "./factors.ts";

/** `/admin/users/{user_id}/factors/{factor_id}`: admin, then the user, then the user's factor. */
async function loadTarget(app: App, ctx: Ctx) {
  await requireAdmin(app, ctx);
  const user = await loadUser(app, ctx.params.id);
  const factor = await loadOwnedFactor(app, user.id, ctx.params.factorId);
  return { user, factor };
}

/**
 * Only `friendly_name` (and `phone`, on phone factors) can change; other fields are ignored. Every call,
 * even one that changes nothing, is audited as `factor_updated`.
 */
async function updateFactor(app: App, ctx: Ctx) {
  const { user, factor } = await loadTarget(app, ctx);
  const params = await decodeGoParams(ctx, {
    name: "adminUserUpdateFactorParams",
    fields: { friendly_name: "string", phone: "string" },
  });
  const friendlyName = params.friendly_name as string;
  const phone = params.phone as string;
  const updated = await app.sql.begin(async (tx) => {
    if (friendlyName !== "") await renameFactor(tx, factor.id, friendlyName);
    if (phone !== "" && factor.factor_type === "phone") await setFactorPhone(tx, factor.id, validatePhone(phone));
    await writeAudit(tx, {
      actor: { kind: "service_role" },
      action: "factor_updated",
      logType: "factor",
      traits: { factor_id: factor.id, factor_type: factor.factor_type, user_id: user.id },
    });
    return findOwnedFactor(tx, user.id, factor.id);
  });
  if (!updated) throw internalError("Database error loading factor");
  return json(200, serializeFactor(updated));
}

/**
 * Answers with the deleted factor. The audit entry names the user (not the service_role) as actor, with the
 * caller's IP; sessions verified with the factor drop to aal1.
 */
async function removeFactor(app: App, ctx: Ctx) {
  const { user, factor } = await loadTarget(app, ctx);
  await app.sql.begin(async (tx) => {
    await writeAudit(tx, {
      actor: userActor(user),
      action: "factor_deleted",
      logType: "factor",
      traits: { factor_id: factor.id, user_id: user.id },
      ip: ctx.ip,
    });
    await deleteFactor(tx, factor.id);
    await downgradeFactorSessions(tx, user.id, factor.id, factor.factor_type);
  });
  return json(200, serializeFactor(factor));
}

export function adminFactorRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/admin/users/:id/factors",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        const user = await loadUser(app, ctx.params.id);
        return json(200, (await listFactors(app.sql, user.id)).map(serializeFactor));
      },
    },
    {
      method: "*",
      pattern: "/admin/users/:id/factors",
      handler: async (ctx) => {
        await requireAdmin(app, ctx);
        await loadUser(app, ctx.params.id);
        return { status: 405 };
      },
    },
    { method: "PUT", pattern: "/admin/users/:id/factors/:factorId", handler: (ctx) => updateFactor(app, ctx) },
    { method: "DELETE", pattern: "/admin/users/:id/factors/:factorId", handler: (ctx) => removeFactor(app, ctx) },
    {
      // No GET for one factor: a known factor id is 405, but an unknown one is 404 first.
      method: "*",
      pattern: "/admin/users/:id/factors/:factorId",
      handler: async (ctx) => {
        await loadTarget(app, ctx);
        return { status: 405 };
      },
    },
  ];
}
