import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UsersScreen } from "@/components/admin/users-screen";
import { toSearchParams } from "@/lib/admin/format";
import { staffMetadata } from "@/lib/admin/staff-access";
import { loadUsersPage } from "@/lib/admin/users-page";

export function generateMetadata(): Promise<Metadata> {
  return staffMetadata("Users");
}

/**
 * /admin shows the users table, as /admin/users does (its searches go to /admin/users); anyone signed in
 * without users.read gets a 404, and sign-in brings the signed-out back here.
 */
export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const data = await loadUsersPage(toSearchParams(await searchParams), "/admin");
  if (!data) notFound();
  return <UsersScreen data={data} />;
}
