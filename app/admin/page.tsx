import type { Metadata } from "next";
import { Card, PageShell } from "@/components/ui/card";
import { listUsers } from "@/lib/admin/list-users";
import { withUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Users" };

export default async function AdminPage() {
  const { data: users } = await withUser((tx) => listUsers(tx), { permission: "users.read", next: "/admin" });
  return (
    <PageShell>
      <Card className="max-w-2xl">
        <h1 className="text-xl font-semibold">Users</h1>
        <table className="mt-6 w-full text-left text-sm" data-testid="admin-users">
          <thead className="text-zinc-500">
            <tr>
              <th className="py-2 font-medium">Name</th>
              <th className="py-2 font-medium">Role</th>
              <th className="py-2 font-medium">Joined</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-zinc-100">
                <td className="py-2">{u.displayName ?? "—"}</td>
                <td className="py-2">{u.role}</td>
                <td className="py-2">{new Date(u.createdAt).toLocaleDateString("en")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </PageShell>
  );
}
