import { NextResponse } from "next/server";
import { runAdminRoute } from "@/lib/admin/admin-route";
import { createUser, createUserBody } from "@/lib/admin/create-user";
import { searchUsers } from "@/lib/admin/search-users";
import { readUsersApiQuery, toSearchUsersInput } from "@/lib/admin/users-query";
import { withAdminWrite, withAuth } from "@/lib/auth/route";
import { AppError } from "@/lib/errors";
import { noStore } from "@/lib/http/no-store";

/**
 * One page of the admin user search (users.read): the users table's URL parameters (q, sort, dir, role,
 * status, provider, mfa), `cursor` (the previous page's nextCursor, same sort) and `limit` (1–100). An
 * unknown, repeated or invalid parameter is a 400; without users.read, 403.
 */
export const GET = withAuth(
  async (request, auth) => {
    const query = readUsersApiQuery(request.nextUrl.searchParams);
    const result = await searchUsers(auth, toSearchUsersInput(query.filters, { cursor: query.cursor, limit: query.limit }));
    if (!result.ok) throw new AppError({ code: result.error.code, message: result.error.message });
    return noStore(NextResponse.json(result));
  },
  { permission: "users.read" },
);

/**
 * Creates a user through the Auth admin API: `{ email, name, role }`. Permission users.create (and
 * roles.assign for a staff role, checked in Postgres), AAL2. The person then signs in with Google or Apple
 * under that email.
 */
export const POST = withAdminWrite(async (request, auth) => runAdminRoute(request, auth, createUserBody, createUser), {
  permission: "users.create",
});
