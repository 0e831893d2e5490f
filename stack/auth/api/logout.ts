import type { App } from "../app.ts";
import { writeAudit, userActor } from "../db/audit.ts";
import { validationFailed } from "../errors.ts";
import { requireUser } from "../guards.ts";
import type { Route } from "../http.ts";

export function logoutRoutes(app: App): Route[] {
  return [
    {
      method: "POST",
      pattern: "/logout",
      handler: async (ctx) => {
        const { user, sessionId } = await requireUser(app, ctx);
        const scope = ctx.query.get("scope") ?? "global";
        if (!["global", "local", "others"].includes(scope)) {
          throw validationFailed(`Unsupported logout scope ${JSON.stringify(scope)}`);
        }
        await app.sql.begin(async (tx) => {
          if (scope === "global") {
            await tx`delete from auth.sessions where user_id = ${user.id}`;
          } else if (scope === "local" && sessionId) {
            await tx`delete from auth.sessions where id = ${sessionId}`;
          } else if (scope === "others" && sessionId) {
            await tx`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
          }
          await writeAudit(tx, { actor: userActor(user), action: "logout", logType: "account" });
        });
        return { status: 204 };
      },
    },
  ];
}
