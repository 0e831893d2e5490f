"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { AdminUserDetail } from "@/lib/admin/get-user-detail";
import { formatWhen } from "@/lib/account/session-labels";
import { Avatar } from "../account/avatar";
import { Button } from "../ui/button";
import { BAN_DURATIONS, failureMessage, postAdmin, userName, userRoute, useUserMutation, AdminRequestError } from "./user-actions";
import { UserBanDialog, type BanRequest } from "./user-ban-dialog";
import { UserDeleteDialog, type DeleteRequest } from "./user-delete-dialog";
import { Facts, UserSection } from "./user-section";

/** A ban that ends more than 50 years from now is permanent (the Auth server has no "forever"). */
const PERMANENT_MS = 50 * 365 * 24 * 3600 * 1000;

function banText(user: AdminUserDetail): string {
  if (!user.banned || !user.bannedUntil) return "Active";
  const until = new Date(user.bannedUntil).getTime();
  return until - Date.now() > PERMANENT_MS ? "Banned permanently" : `Banned until ${formatWhen(user.bannedUntil)}`;
}

function initials(user: AdminUserDetail): string {
  const source = user.displayName?.trim() || user.email || "?";
  const words = source.split(/[\s@._-]+/).filter(Boolean);
  return ((words[0]?.[0] ?? "?") + (words[1]?.[0] ?? "")).toUpperCase();
}

/** Profile: who the user is, and their status, with ban or unban and delete for those allowed. */
export function UserProfileSection({ user, canBan, canDelete }: { user: AdminUserDetail; canBan: boolean; canDelete: boolean }) {
  const [dialog, setDialog] = useState<"ban" | "delete" | null>(null);
  const name = userName(user);
  const router = useRouter();

  const ban = useUserMutation<BanRequest, { bannedUntil?: string | null }>(user.id, {
    request: (body) => postAdmin(userRoute(user.id, "ban"), body),
    optimistic: (d, body) => {
      const hours = BAN_DURATIONS.find((x) => x.value === body.duration)?.hours ?? 24;
      // A ban ends every session of the user: they go from the list at once.
      return { ...d, banned: true, bannedUntil: new Date(Date.now() + hours * 3600 * 1000).toISOString(), sessions: [] };
    },
    success: (body) => `Banned ${name} (${BAN_DURATIONS.find((x) => x.value === body.duration)?.label.toLowerCase() ?? body.duration}).`,
    failure: () => `${name} was not banned.`,
  });
  const unban = useUserMutation<void, unknown>(user.id, {
    request: () => postAdmin(userRoute(user.id, "unban"), {}),
    optimistic: (d) => ({ ...d, banned: false, bannedUntil: null }),
    success: () => `Unbanned ${name}. They can sign in again.`,
    failure: () => `${name} was not unbanned.`,
  });
  // Not optimistic: the page goes away when it succeeds, and stays as it is when it does not.
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = useUserMutation<DeleteRequest, unknown>(user.id, {
    request: (body) => postAdmin(userRoute(user.id, "delete"), body),
    // The admin layout's toast region stays mounted across the navigation to the table, so the result is
    // still in view (and announced) there.
    success: () => `Deleted ${user.email ?? name}. The audit trail keeps the record.`,
    failure: () => `${name} was not deleted.`,
    noRefresh: true,
    onSuccess: () => {
      setDialog(null);
      router.push("/admin/users");
    },
  });
  const busy = ban.isPending || unban.isPending || remove.isPending;

  const controls = (canBan || canDelete) && (
    <div className="mt-4 flex flex-wrap gap-2" data-testid="profile-controls">
      {canBan ? (
        user.banned ? (
          <Button type="button" variant="secondary" className="w-auto" disabled={busy} onClick={() => unban.mutate()}>
            Unban
          </Button>
        ) : (
          <Button type="button" variant="secondary" className="w-auto" disabled={busy} onClick={() => setDialog("ban")}>
            Ban…
          </Button>
        )
      ) : null}
      {canDelete ? (
        <Button
          type="button"
          variant="danger"
          className="w-auto"
          disabled={busy || !user.email}
          title={user.email ? undefined : "A user without an email cannot be confirmed for deletion here"}
          onClick={() => {
            setDeleteError(null);
            setDialog("delete");
          }}
        >
          Delete…
        </Button>
      ) : null}
    </div>
  );

  const lastError = ban.error ?? unban.error;

  return (
    <UserSection title="Profile" testId="section-profile">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <Avatar url={user.avatarUrl} initials={initials(user)} />
        <div className="min-w-0 flex-1">
          <Facts
            rows={[
              { label: "Name", value: user.displayName ?? "—", testId: "profile-name" },
              { label: "Email", value: user.email ?? "—", testId: "profile-email" },
              { label: "Joined", value: formatWhen(user.createdAt) },
              { label: "Last sign-in", value: formatWhen(user.lastSignInAt) },
              {
                label: "Status",
                testId: "profile-status",
                value: <span className={user.banned ? "font-medium text-red-700" : "text-emerald-800"}>{banText(user)}</span>,
              },
            ]}
          />
        </div>
      </div>
      {controls}
      {lastError ? (
        <p className="mt-3 text-sm text-red-700" data-testid="profile-error">
          {failureMessage(lastError)}
        </p>
      ) : null}
      {canBan ? (
        <UserBanDialog
          open={dialog === "ban"}
          name={name}
          onCancel={() => setDialog(null)}
          onConfirm={(body) => {
            setDialog(null);
            ban.mutate(body);
          }}
        />
      ) : null}
      {canDelete && user.email ? (
        <UserDeleteDialog
          open={dialog === "delete"}
          email={user.email}
          name={name}
          busy={remove.isPending}
          error={deleteError}
          onCancel={() => setDialog(null)}
          onConfirm={(body) => {
            setDeleteError(null);
            remove.mutate(body, {
              onError: (error) => setDeleteError(error instanceof AdminRequestError ? error.message : failureMessage(error)),
            });
          }}
        />
      ) : null}
    </UserSection>
  );
}
