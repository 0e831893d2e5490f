import type { Metadata } from "next";
import Link from "next/link";
import { ProfileSection } from "@/components/account/profile-section";
import { readAccountProfile } from "@/lib/account/get-account-profile";
import { withUser } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Profile" };

/** The Profile section, the account area's first page. */
export default async function ProfilePage() {
  const { auth, data: profile } = await withUser((tx, user) => readAccountProfile(tx, user), { next: "/account" });
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Profile</h1>
      <ProfileSection initial={profile} />
      <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 border-t border-zinc-200 pt-6 text-sm">
        <dt className="text-zinc-600">Role</dt>
        <dd data-testid="account-role">{auth.role}</dd>
      </dl>
      {can(auth.role, "users.read") ? (
        <Link href="/admin" className="mt-4 inline-block text-sm font-medium underline focus-visible:outline-2 focus-visible:outline-zinc-900">
          User management
        </Link>
      ) : null}
    </div>
  );
}
