import "server-only";
import { can } from "../auth/permissions";
import { searchUsersInTx, type UserSearchPage } from "./search-users";
import { withStaffPage } from "./staff-access";
import { readUsersPageFilters, toSearchUsersInput, usersFiltersToParams, type UsersFilters } from "./users-query";

export type UsersPageData = {
  filters: UsersFilters;
  dropped: string[];
  page: UserSearchPage;
  /** Whether the viewer's role may create users (the "Create user" link); the route checks again. */
  canCreate: boolean;
};

/**
 * The users table's first page for the state in the URL (`params`), with the guard, in one round trip; null
 * for someone without users.read (the page answers 404). `path` is where sign-in brings the person back, with
 * the same state.
 */
export async function loadUsersPage(params: URLSearchParams, path: string): Promise<UsersPageData | null> {
  const { filters, dropped } = readUsersPageFilters(params);
  const query = usersFiltersToParams(filters).toString();
  const loaded = await withStaffPage("users.read", (tx) => searchUsersInTx(tx, toSearchUsersInput(filters)), query ? `${path}?${query}` : path);
  return loaded && { filters, dropped, page: loaded.data, canCreate: can(loaded.auth.role, "users.create") };
}
