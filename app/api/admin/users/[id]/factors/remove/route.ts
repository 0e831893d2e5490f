import { removeFactor, removeFactorBody } from "@/lib/admin/remove-factor";
import { runAdminRoute, type UserRouteContext } from "@/lib/admin/admin-route";
import { withAdminWrite } from "@/lib/auth/route";

/** Removes an MFA factor of the user (a lost phone): `{ factorId, reason? }`. Permission factors.delete, AAL2. */
export const POST = withAdminWrite(
  async (request, auth, { params }: UserRouteContext) => runAdminRoute(request, auth, removeFactorBody, removeFactor, (await params).id),
  { permission: "factors.delete" },
);
