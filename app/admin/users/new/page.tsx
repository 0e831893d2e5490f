import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { staffShell, withStaffPage } from "@/lib/admin/staff-access";
import { authenticate } from "@/lib/auth/guard";

const PATH = "/admin/users/new";

/** The title only for someone who may create users: the 404 that anyone else gets must not carry it. */
export async function generateMetadata(): Promise<Metadata> {
  if ((await staffShell()).kind !== "staff") return {};
  return (await authenticate("users.create")).ok ? { title: "Create a user" } : {};
}

/**
 * Create a user (users.create): email, display name and role. Anyone without the permission gets a 404,
 * support included (the layout has already answered 404 to anyone without users.read). The guard, the
 * permission and the viewer's step-up state come in one round trip; an admin without a verified
 * authenticator sees the set-up notice in place of the form, since every admin write needs a two-factor
 * session.
 */
export default async function CreateUserPage() {
  const loaded = await withStaffPage(
    "users.create",
    async (tx) => (await tx<{ required: string }[]>`select required from private.my_step_up()`)[0]?.required ?? null,
    PATH,
  );
  if (!loaded) notFound();
  // With a verified factor, the step-up rule asks for aal2 (and sign-in has already given it).
  return <CreateUserForm needsEnrolment={loaded.data !== "aal2"} />;
}
