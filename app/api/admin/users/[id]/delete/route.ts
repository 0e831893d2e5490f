import { deleteUser, deleteUserBody } from "@/lib/admin/delete-user";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Deletes the user: `{ confirmEmail, reason? }`, the email typed to confirm. Permission users.delete, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, deleteUserBody, deleteUser, (await params).id),
  { permission: "users.delete" },
);
