import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UsersScreen } from "@/components/admin/users-screen";
import { toSearchParams } from "@/lib/admin/format";
import { staffMetadata } from "@/lib/admin/staff-access";
import { loadUsersPage } from "@/lib/admin/users-page";

export function generateMetadata(): Promise<Metadata> {
  return staffMetadata("Users");
}

/** The users table (users.read; anyone else signed in gets a 404): search, sort and filters from the URL. */
export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const data = await loadUsersPage(toSearchParams(await searchParams), "/admin/users");
  if (!data) notFound();
  return <UsersScreen data={data} />;
}
