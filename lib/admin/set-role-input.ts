import { z } from "zod";
import { ROLES } from "../auth/permissions";
import { optionalReason, userIdSchema } from "./admin-input";

/** POST /api/admin/users/[id]/role: a role, or null to remove the role row (the user then has no permission). */
export const setRoleBody = z.strictObject({ role: z.enum(ROLES).nullable(), reason: optionalReason });
export const setRoleInput = setRoleBody.extend({ userId: userIdSchema });
export type SetRoleBody = z.input<typeof setRoleBody>;
