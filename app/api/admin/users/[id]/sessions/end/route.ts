import { endUserSession, endUserSessionBody } from "@/lib/admin/end-user-session";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Ends one session of the user: `{ sessionId }`. Permission sessions.revoke, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, endUserSessionBody, endUserSession, (await params).id),
  { permission: "sessions.revoke" },
);
