import { runAdminRoute } from "@/lib/admin/admin-route";
import { createUser, createUserBody } from "@/lib/admin/create-user";
import { withAdminWrite } from "@/lib/auth/route";

/**
 * Creates a user through the Auth admin API: `{ email, name, role }`. Permission users.create (and
 * roles.assign for a staff role, checked in Postgres), AAL2. The person then signs in with Google or Apple
 * under that email.
 */
export const POST = withAdminWrite(async (request, auth) => runAdminRoute(request, auth, createUserBody, createUser), {
  permission: "users.create",
});
