import { z } from "zod";
import { userIdSchema } from "./admin-input";

/** POST /api/admin/users/[id]/sessions/end-all: the body is `{}`. */
export const revokeSessionsBody = z.strictObject({});
export const revokeSessionsInput = z.strictObject({ userId: userIdSchema });
export type RevokeSessionsBody = z.input<typeof revokeSessionsBody>;
