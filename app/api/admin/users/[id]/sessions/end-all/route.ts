import { revokeSessions, revokeSessionsBody } from "@/lib/admin/revoke-sessions";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Ends every session of the user: `{}`. Permission sessions.revoke, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, revokeSessionsBody, revokeSessions, (await params).id),
  { permission: "sessions.revoke" },
);
