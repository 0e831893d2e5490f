import { z } from "zod";
import { optionalReason, userIdSchema } from "./admin-input";

/** POST /api/admin/users/[id]/factors/remove */
export const removeFactorBody = z.strictObject({ factorId: z.uuid({ error: "must be a factor id" }), reason: optionalReason });
export const removeFactorInput = removeFactorBody.extend({ userId: userIdSchema });
export type RemoveFactorBody = z.input<typeof removeFactorBody>;
