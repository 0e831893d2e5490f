import { banUser, banUserBody } from "@/lib/admin/ban-user";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Bans the user: `{ duration, reason }`. Permission users.ban, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, banUserBody, banUser, (await params).id),
  { permission: "users.ban" },
);
