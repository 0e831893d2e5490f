import "server-only";
import { auditMeta, type AuditMetaInput } from "../audit/meta";
import type { AuthContext } from "../auth/guard";
import { withRls } from "../db/rls";
import { AppError } from "../errors";
import { accountDbError, parseInput } from "./account-errors";
import type { Profile } from "./get-profile";
import { updateProfileInput } from "./profile-input";

export { updateProfileInput, type UpdateProfileInput } from "./profile-input";

type ProfileRow = { display_name: string | null; avatar_url: string | null; created_at: Date };

/**
 * Changes the caller's display name through RLS: the policy allows only their own row and the column grants
 * only display_name and avatar_url (updated_at is set by a trigger). A change writes its audit row in the
 * same transaction; the row says which field changed, not the name (audit rows outlive the user).
 */
export async function updateProfile(auth: AuthContext, raw: unknown, meta: AuditMetaInput = {}): Promise<Profile> {
  const { displayName } = parseInput(updateProfileInput, raw);
  const m = auditMeta(meta);
  let row: ProfileRow | undefined;
  try {
    row = await withRls(auth.claims, async (tx) => {
      const [current] = await tx<{ display_name: string | null }[]>`
        select display_name from public.profiles where id = ${auth.userId} for update`;
      if (!current) return undefined;
      const [updated] = await tx<ProfileRow[]>`
        update public.profiles set display_name = ${displayName}
        where id = ${auth.userId}
        returning display_name, avatar_url, created_at`;
      if (updated && current.display_name !== displayName) {
        await tx`
          insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
          values (${auth.userId}, 'profile.update', ${auth.userId}, ${m.ip}::inet, ${m.userAgent}, ${m.requestId},
                  ${tx.json({ field: "display_name" })})`;
      }
      return updated;
    });
  } catch (error) {
    throw accountDbError(error);
  }
  if (!row) throw new AppError({ code: "not_found", message: "Profile not found" });
  return { displayName: row.display_name, avatarUrl: row.avatar_url, createdAt: row.created_at.toISOString() };
}
