"use client";

import { useId, useState } from "react";
import type { AdminUserDetail } from "@/lib/admin/get-user-detail";
import { ROLES, ROLE_PERMISSIONS, type AppRole } from "@/lib/auth/permissions";
import { Button } from "../ui/button";
import { ConfirmDialog } from "./confirm-dialog";
import { failureMessage, postAdmin, roleLabel, roleRank, userName, userRoute, useUserMutation } from "./user-actions";
import { UserSection } from "./user-section";

type RoleChange = { role: AppRole | null };

const WHAT: Record<AppRole, string> = {
  user: "No staff permissions.",
  support: "Finds and views users and the audit log; cannot change anything.",
  admin: "Every permission: changes users, roles, sessions and factors.",
};

/**
 * Role: the user's current role, and for those allowed (roles.assign) a choice of another or none. A change
 * that takes permissions away (a demotion, or removing a staff role) asks for confirmation first; the server
 * refuses a change of your own role and the demotion of the last admin, with their message.
 */
export function UserRoleSection({ user, canAssign }: { user: AdminUserDetail; canAssign: boolean }) {
  const [choice, setChoice] = useState<AppRole>(user.role ?? "user");
  const [pending, setPending] = useState<RoleChange | null>(null);
  const selectId = useId();
  const name = userName(user);

  const change = useUserMutation<RoleChange, unknown>(user.id, {
    request: (body) => postAdmin(userRoute(user.id, "role"), body),
    optimistic: (d, body) => ({ ...d, role: body.role }),
    success: (body) => (body.role === null ? `Removed ${name}'s role.` : `${name} is now ${roleLabel(body.role).toLowerCase()}.`),
    failure: () => `${name}'s role was not changed.`,
  });

  const submit = (role: AppRole | null) => {
    if (role === user.role) return;
    // Removing the row of a plain user changes nothing they can do; anything else below the current rank is a demotion.
    if (roleRank(role) < roleRank(user.role)) setPending({ role });
    else change.mutate({ role });
  };

  return (
    <UserSection title="Role" testId="section-role" description="Staff permissions come from the role, checked again on every request.">
      <p className="text-sm">
        <span className="font-medium" data-testid="role-current">
          {roleLabel(user.role)}
        </span>
        <span className="text-zinc-600"> — {user.role ? WHAT[user.role] : "No role row: the same as User."}</span>
      </p>
      {canAssign ? (
        <form
          className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-end"
          data-testid="role-controls"
          onSubmit={(e) => {
            e.preventDefault();
            submit(choice);
          }}
        >
          <div className="flex flex-col gap-1">
            <label htmlFor={selectId} className="text-sm font-medium">
              New role
            </label>
            <select
              id={selectId}
              value={choice}
              onChange={(e) => setChoice(e.target.value as AppRole)}
              className="rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)} ({ROLE_PERMISSIONS[r].length} permissions)
                </option>
              ))}
            </select>
          </div>
          <Button type="submit" variant="secondary" className="w-auto" disabled={change.isPending}>
            Change role
          </Button>
          {user.role !== null ? (
            <Button type="button" variant="secondary" className="w-auto" disabled={change.isPending} onClick={() => submit(null)}>
              Remove role
            </Button>
          ) : null}
        </form>
      ) : null}
      {change.error ? (
        <p className="mt-3 text-sm text-red-700" data-testid="role-error">
          {failureMessage(change.error)}
        </p>
      ) : null}
      {canAssign ? (
        <ConfirmDialog
          open={pending !== null}
          testId="role-dialog"
          title={pending?.role ? `Demote ${name} to ${roleLabel(pending.role).toLowerCase()}?` : `Remove ${name}'s role?`}
          description={
            <p>
              They lose the permissions of {roleLabel(user.role).toLowerCase()} on their next request
              {pending?.role ? `: ${WHAT[pending.role].toLowerCase()}` : ", and have none."}
            </p>
          }
          confirmLabel={pending?.role ? "Demote" : "Remove role"}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const next = pending;
            setPending(null);
            if (next) change.mutate(next);
          }}
        />
      ) : null}
    </UserSection>
  );
}
