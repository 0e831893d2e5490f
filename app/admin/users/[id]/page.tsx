import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UserPage } from "@/components/admin/user-page";
import { parseAdminUserId, readUserDetail } from "@/lib/admin/get-user-detail";
import { readUserAudit } from "@/lib/admin/list-user-audit";
import { withUser } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { postgresError } from "@/lib/db/errors";

export const metadata: Metadata = { title: "User" };

/**
 * A user's page for staff: profile, role, identities, sessions, factors and the audit trail, with the actions
 * the viewer's role allows. Anyone without users.read gets a 404, as does a malformed or unknown id: the
 * page does not reveal that the area, or the user, exists.
 *
 * One round trip: the guard's session check, then the detail, the trail's first page and the viewer's
 * step-up state in the same transaction. Postgres refuses (42501) the detail without users.read and the trail
 * without audit.read on the viewer's current role; both staff roles hold both.
 */
export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseAdminUserId((await params).id);
  if (!id) notFound();
  let loaded;
  try {
    loaded = await withUser(
      async (tx) => {
        const [user, audit, stepUp] = await Promise.all([
          readUserDetail(tx, id),
          readUserAudit(tx, id),
          tx<{ required: string }[]>`select required from private.my_step_up()`,
        ]);
        return { user, audit, required: stepUp[0]?.required ?? null };
      },
      { next: `/admin/users/${id}` },
    );
  } catch (error) {
    if (postgresError(error)?.code === "42501") notFound();
    throw error;
  }
  const { auth, data } = loaded;
  if (!data.user) notFound();
  const role = auth.role;
  return (
    <UserPage
      initial={data.user}
      initialAudit={data.audit}
      viewer={{
        userId: auth.userId,
        canBan: can(role, "users.ban"),
        canDelete: can(role, "users.delete"),
        canRevokeSessions: can(role, "sessions.revoke"),
        canAssignRoles: can(role, "roles.assign"),
        canRemoveFactors: can(role, "factors.delete"),
        canReadAudit: can(role, "audit.read"),
        // With a verified factor, the step-up rule asks for aal2 (and sign-in has already given it).
        needsEnrolment: data.required !== "aal2",
      }}
    />
  );
}
