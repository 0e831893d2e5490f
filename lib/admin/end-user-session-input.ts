import { z } from "zod";
import { userIdSchema } from "./admin-input";

/** POST /api/admin/users/[id]/sessions/end */
export const endUserSessionBody = z.strictObject({ sessionId: z.uuid({ error: "must be a session id" }) });
export const endUserSessionInput = endUserSessionBody.extend({ userId: userIdSchema });
export type EndUserSessionBody = z.input<typeof endUserSessionBody>;
