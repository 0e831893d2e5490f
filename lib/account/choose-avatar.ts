import "server-only";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { postgresError } from "../db/errors";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { accountDbError, parseInput } from "./account-errors";
import { chooseAvatarInput } from "./profile-input";

export type ChooseAvatarResult = { avatarUrl: string | null; changed: boolean };

/**
 * Sets the caller's avatar to the picture of one of their own linked identities, or to initials (null).
 * private.set_my_avatar() decides: any URL that is not the picture of one of the caller's identities is
 * refused, whatever it points to; the change and its audit row share one transaction.
 */
export async function chooseAvatar(auth: AuthContext, raw: unknown, meta: AuditMetaInput = {}): Promise<ChooseAvatarResult> {
  const { avatarUrl } = parseInput(chooseAvatarInput, raw);
  const m = auditMeta(meta);
  try {
    const [row] = await withRls(auth.claims, (tx) => tx<{ changed: boolean }[]>`
      select private.set_my_avatar(${avatarUrl}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId}) as changed`);
    return { avatarUrl, changed: row?.changed === true };
  } catch (error) {
    const pg = postgresError(error);
    if (pg?.code === "22023" && pg.message === "not_an_identity_picture") {
      throw new AppError({ code: "invalid_input", message: "avatarUrl: Choose the picture of one of your linked accounts, or initials" });
    }
    if (pg?.code === "P0002") throw new AppError({ code: "not_found", message: "Profile not found" });
    throw accountDbError(error);
  }
}
