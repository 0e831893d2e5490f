import { z } from "zod";
import { optionalReason, userIdSchema } from "./admin-input";

/** POST /api/admin/users/[id]/unban */
export const unbanUserBody = z.strictObject({ reason: optionalReason });
export const unbanUserInput = unbanUserBody.extend({ userId: userIdSchema });
export type UnbanUserBody = z.input<typeof unbanUserBody>;
