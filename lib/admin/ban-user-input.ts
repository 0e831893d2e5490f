import { z } from "zod";
import { reasonSchema, userIdSchema } from "./admin-input";

/** The durations the dashboard offers: an hour, a day, a week, 30 days, and "until lifted" (about a century). */
export const BAN_DURATIONS = ["1h", "24h", "168h", "720h", "876000h"] as const;

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** The longest ban: 876000h, what the Auth server's own "forever" is. */
export const MAX_BAN_SECONDS = 876_000 * 3600;

/** A positive Go duration ("24h", "1h30m", "90m") in seconds; null if it is not one. */
export function goDurationSeconds(value: string): number | null {
  if (!GO_DURATION.test(value)) return null;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_SECONDS[unit!]!;
  return Number.isFinite(total) ? total : null;
}

export const banDurationSchema = z
  .string()
  .max(32, { error: "must be a duration such as 24h or 30m" })
  .refine((d) => goDurationSeconds(d) !== null, { error: "must be a duration such as 24h or 30m" })
  .refine((d) => (goDurationSeconds(d) ?? 0) > 0, { error: "must be longer than zero" })
  .refine((d) => (goDurationSeconds(d) ?? 0) <= MAX_BAN_SECONDS, { error: "must be at most 876000h" });

/** POST /api/admin/users/[id]/ban */
export const banUserBody = z.strictObject({ duration: banDurationSchema, reason: reasonSchema });
export const banUserInput = banUserBody.extend({ userId: userIdSchema });
export type BanUserBody = z.input<typeof banUserBody>;
