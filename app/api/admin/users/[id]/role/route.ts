import { setRole, setRoleBody } from "@/lib/admin/set-role";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Assigns a role or removes it: `{ role: "user" | "support" | "admin" | null, reason? }`. Permission roles.assign, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, setRoleBody, setRole, (await params).id),
  { permission: "roles.assign" },
);
