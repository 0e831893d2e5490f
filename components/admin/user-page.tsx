"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import type { AdminUserDetail } from "@/lib/admin/get-user-detail";
import type { UserAuditPage } from "@/lib/admin/list-user-audit";
import { ToastProvider } from "./toast";
import { EnrolmentContext, userDetailKey, userName } from "./user-actions";
import { UserAuditSection } from "./user-audit-section";
import { UserFactorsSection } from "./user-factors-section";
import { UserIdentitiesSection } from "./user-identities-section";
import { UserProfileSection } from "./user-profile-section";
import { UserRoleSection } from "./user-role-section";
import { UserSessionsSection } from "./user-sessions-section";
import { UserWriteNotice } from "./user-write-notice";

/** What the staff member viewing the page may do, from their current role (lib/auth/permissions.ts). */
export type UserPageViewer = {
  userId: string;
  canBan: boolean;
  canDelete: boolean;
  canRevokeSessions: boolean;
  canAssignRoles: boolean;
  canRemoveFactors: boolean;
  canReadAudit: boolean;
  /** An admin without a verified authenticator: every write is refused until they set one up. */
  needsEnrolment: boolean;
};

type Props = { initial: AdminUserDetail; initialAudit: UserAuditPage | null; viewer: UserPageViewer };

/**
 * The staff user page: the detail comes from the server render and lives in React Query's cache, where
 * each write changes it at once (and rolls it back if the server refuses); after each write the server render
 * is refreshed and its detail replaces the cache. Write controls appear only for the permissions the viewer's
 * role has; for an admin without two-factor authentication, a notice replaces them.
 */
export function UserPage(props: Props) {
  return (
    // React Query's client comes from the admin layout.
    <ToastProvider>
      <UserPageContent {...props} />
    </ToastProvider>
  );
}

function UserPageContent({ initial, initialAudit, viewer }: Props) {
  const queryClient = useQueryClient();
  const key = userDetailKey(initial.id);
  // No route serves the detail: the server render does, and a refresh brings the next one.
  const query = useQuery({ queryKey: key, queryFn: () => queryClient.getQueryData<AdminUserDetail>(key) ?? initial, initialData: initial, staleTime: Infinity });
  useEffect(() => {
    queryClient.setQueryData(userDetailKey(initial.id), initial);
  }, [initial, queryClient]);
  const [needsEnrolment, setNeedsEnrolment] = useState(viewer.needsEnrolment);
  const enrolment = useMemo(() => ({ requireEnrolment: () => setNeedsEnrolment(true) }), []);
  const user = query.data;

  const anyWrite = viewer.canBan || viewer.canDelete || viewer.canRevokeSessions || viewer.canAssignRoles || viewer.canRemoveFactors;
  const writes = anyWrite && !needsEnrolment;
  const may = {
    ban: writes && viewer.canBan,
    delete: writes && viewer.canDelete,
    revoke: writes && viewer.canRevokeSessions,
    assign: writes && viewer.canAssignRoles,
    removeFactor: writes && viewer.canRemoveFactors,
  };

  return (
    <EnrolmentContext.Provider value={enrolment}>
      <div className="flex flex-col gap-6">
        <div>
          <Link
            href="/admin/users"
            className="text-sm font-medium text-zinc-700 underline underline-offset-2 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
          >
            ← All users
          </Link>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight break-words" data-testid="user-title">
            {userName(user)}
          </h1>
          <p className="text-sm break-all text-zinc-600">
            {user.email ?? "No email"} · <span className="font-mono text-xs">{user.id}</span>
          </p>
        </div>
        {anyWrite && needsEnrolment ? (
          <UserWriteNotice
            returnTo={`/admin/users/${user.id}`}
            detail="Changes to users need a sign-in with an authenticator app. You can look at everything on this page meanwhile."
          />
        ) : null}
        <UserProfileSection user={user} canBan={may.ban} canDelete={may.delete} />
        <UserRoleSection user={user} canAssign={may.assign} />
        <UserIdentitiesSection user={user} />
        <UserSessionsSection user={user} canRevoke={may.revoke} />
        <UserFactorsSection user={user} canRemove={may.removeFactor} />
        {viewer.canReadAudit && initialAudit ? <UserAuditSection userId={user.id} initial={initialAudit} /> : null}
      </div>
    </EnrolmentContext.Provider>
  );
}
