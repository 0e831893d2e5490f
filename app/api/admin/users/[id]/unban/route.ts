import { unbanUser, unbanUserBody } from "@/lib/admin/unban-user";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Lifts the ban: `{ reason? }`. Permission users.ban, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, unbanUserBody, unbanUser, (await params).id),
  { permission: "users.ban" },
);
