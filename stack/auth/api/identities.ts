import type { App } from "../app.ts";
import { userActor, writeAudit } from "../db/audit.ts";
import { deleteIdentity } from "../db/identities.ts";
import { syncAppMetadataProviders, updateEmailFromIdentities } from "../db/signup.ts";
import { forbidden, notFound, unprocessable } from "../errors.ts";
import { requireUser } from "../guards.ts";
import { json, redirect, type Ctx, type Route } from "../http.ts";
import { hexEscapeNonAscii } from "../redirect.ts";
import { parseUuid, providerRedirectUrl } from "./authorize.ts";

function requireManualLinking(app: App): void {
  if (!app.config.manualLinking) throw notFound("manual_linking_disabled", "Manual linking is disabled");
}

function tokenAudience(aud: unknown): string | undefined {
  if (typeof aud === "string") return aud;
  if (Array.isArray(aud) && typeof aud[0] === "string") return aud[0];
  return undefined;
}

async function unlink(app: App, ctx: Ctx) {
  const { user, claims } = await requireUser(app, ctx);
  requireManualLinking(app);
  const identityId = parseUuid(ctx.params.id ?? "");
  if (!identityId) throw notFound("validation_failed", "identity_id must be an UUID");
  // The expected audience is X-JWT-AUD, else the token's own: only a token without `aud` fails here.
  const tokenAud = tokenAudience(claims.aud);
  const expectedAud = ctx.header("x-jwt-aud") || tokenAud || "authenticated";
  if (tokenAud === undefined || tokenAud !== expectedAud) {
    throw forbidden("unexpected_audience", "Token audience doesn't match request audience");
  }
  if (user.identities.length <= 1) {
    throw unprocessable("single_identity_not_deletable", "User must have at least 1 identity after unlinking");
  }
  const identity = user.identities.find((i) => i.identity_id === identityId);
  if (!identity) throw unprocessable("identity_not_found", "Identity doesn't exist");
  await app.sql.begin(async (tx) => {
    await writeAudit(tx, {
      actor: userActor(user),
      action: "identity_unlinked",
      logType: "account",
      traits: { identity_id: identity.identity_id, provider: identity.provider, provider_id: identity.id },
    });
    await deleteIdentity(tx, identity.identity_id);
    if (!(await updateEmailFromIdentities(tx, user.id))) {
      throw unprocessable("email_conflict_identity_not_deletable", "Unable to unlink identity due to email conflict");
    }
    await syncAppMetadataProviders(tx, user.id);
  });
  return json(200, {});
}

export function identityRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/user/identities/authorize",
      handler: async (ctx) => {
        const { user } = await requireUser(app, ctx);
        requireManualLinking(app);
        const url = await providerRedirectUrl(app, ctx, user.id);
        if (ctx.query.get("skip_http_redirect") === "true") return json(200, { url });
        return redirect(ctx.method, hexEscapeNonAscii(url));
      },
    },
    { method: "DELETE", pattern: "/user/identities/:id", handler: (ctx) => unlink(app, ctx) },
  ];
}
