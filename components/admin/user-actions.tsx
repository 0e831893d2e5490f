"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { createContext, useContext } from "react";
import type { BAN_DURATIONS as BAN_DURATION_VALUES } from "@/lib/admin/ban-user-input";
import type { AdminUserDetail } from "@/lib/admin/get-user-detail";
import type { AppRole } from "@/lib/auth/permissions";
import { useToast } from "./toast";

/** An error answered by an admin route (`{ ok: false, error: { code, message } }`), or a network failure. */
export class AdminRequestError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * A POST to one of the app's admin routes: same origin (the session cookie goes along, the browser never
 * sees a token), a JSON body. Resolves with the `{ ok: true, … }` body; anything else rejects with an
 * AdminRequestError carrying the server's code and message.
 */
export async function postAdmin<T extends object>(url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new AdminRequestError("network", "The server could not be reached. Check your connection and try again.", 0);
  }
  const json = (await res.json().catch(() => null)) as ({ ok?: boolean; error?: { code?: unknown; message?: unknown } } & T) | null;
  if (!res.ok || !json || json.ok !== true) {
    const code = typeof json?.error?.code === "string" ? json.error.code : "internal";
    const message = typeof json?.error?.message === "string" ? json.error.message : `Something went wrong (${res.status}). Please try again.`;
    throw new AdminRequestError(code, message, res.status);
  }
  return json;
}

/** A GET of one of the app's admin routes, with the same error handling. */
export async function getAdmin<T extends object>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" } });
  } catch {
    throw new AdminRequestError("network", "The server could not be reached. Check your connection and try again.", 0);
  }
  const json = (await res.json().catch(() => null)) as ({ ok?: boolean; error?: { code?: unknown; message?: unknown } } & T) | null;
  if (!res.ok || !json || json.ok !== true) {
    const code = typeof json?.error?.code === "string" ? json.error.code : "internal";
    const message = typeof json?.error?.message === "string" ? json.error.message : `Something went wrong (${res.status}). Please try again.`;
    throw new AdminRequestError(code, message, res.status);
  }
  return json;
}

/** What a failed request tells the staff member. */
export function failureMessage(error: unknown): string {
  if (error instanceof AdminRequestError && error.code === "unauthenticated") return "Your session has ended. Sign in again to continue.";
  return error instanceof Error ? error.message : "Something went wrong. Please try again.";
}

export const userDetailKey = (userId: string) => ["admin", "user", userId] as const;
export const userAuditKey = (userId: string) => ["admin", "user", userId, "audit"] as const;

/** The routes of the admin write API for one user (see the write API's contract). */
export function userRoute(userId: string, action: string): string {
  return `/api/admin/users/${encodeURIComponent(userId)}/${action}`;
}

/**
 * The page's answer to a refusal that changes what it shows: `mfa_enrolment_required` (the staff member has no
 * verified authenticator) replaces the write controls by the set-up notice.
 */
export const EnrolmentContext = createContext<{ requireEnrolment: () => void }>({ requireEnrolment: () => undefined });

type MutationSpec<V, R> = {
  request: (vars: V) => Promise<R>;
  /** The detail as it will be once the server agrees: shown at once, rolled back on failure. */
  optimistic?: (detail: AdminUserDetail, vars: V) => AdminUserDetail;
  /** The toast on success. */
  success: (vars: V, result: R) => string;
  /** The start of the toast on failure; the server's message follows. */
  failure: (vars: V) => string;
  onSuccess?: (vars: V, result: R) => void;
  /** Leave the server render alone afterwards (delete navigates away instead). */
  noRefresh?: boolean;
};

/**
 * One write on the user page through React Query: the optimistic change to the cached detail, rolled back
 * with an error toast if the server refuses; a toast with the result; then a fresh server render (the page's
 * data and the audit trail's first page, which now holds the new event).
 */
export function useUserMutation<V, R>(userId: string, spec: MutationSpec<V, R>) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const router = useRouter();
  const { requireEnrolment } = useContext(EnrolmentContext);
  const key = userDetailKey(userId);
  return useMutation<R, Error, V, { previous?: AdminUserDetail }>({
    mutationFn: spec.request,
    onMutate: async (vars) => {
      await queryClient.cancelQueries({ queryKey: key, exact: true });
      const previous = queryClient.getQueryData<AdminUserDetail>(key);
      if (previous && spec.optimistic) queryClient.setQueryData<AdminUserDetail>(key, spec.optimistic(previous, vars));
      return { previous };
    },
    onError: (error, vars, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
      toast.show("error", `${spec.failure(vars)} ${failureMessage(error)}`);
      if (error instanceof AdminRequestError && error.code === "mfa_enrolment_required") requireEnrolment();
    },
    onSuccess: (result, vars) => {
      toast.show("success", spec.success(vars, result));
      spec.onSuccess?.(vars, result);
    },
    onSettled: () => {
      if (!spec.noRefresh) router.refresh();
    },
  });
}

/** The ban durations the dialog offers, in words: the values of lib/admin/ban-user-input.ts. */
export const BAN_DURATIONS = [
  { value: "1h", label: "1 hour", hours: 1 },
  { value: "24h", label: "24 hours", hours: 24 },
  { value: "168h", label: "7 days", hours: 168 },
  { value: "720h", label: "30 days", hours: 720 },
  { value: "876000h", label: "Permanent", hours: 876000 },
] as const satisfies readonly { value: (typeof BAN_DURATION_VALUES)[number]; label: string; hours: number }[];
export type BanDuration = (typeof BAN_DURATIONS)[number]["value"];

export const REASON_MAX = 500;

/** What a reason field says about a refused value (the shared schema's message, for a person). */
export function reasonProblem(issue: string | undefined): string {
  return issue ? `The reason ${issue}.` : "Check the reason.";
}

/** Lower to higher: a change to a lower rank takes permissions away (a demotion) and asks for confirmation. */
export function roleRank(role: AppRole | null): number {
  return role === "admin" ? 2 : role === "support" ? 1 : 0;
}

export function roleLabel(role: AppRole | null): string {
  return role === "admin" ? "Admin" : role === "support" ? "Support" : role === "user" ? "User" : "No role";
}

/** The name to call the user by in messages. */
export function userName(user: Pick<AdminUserDetail, "displayName" | "email" | "id">): string {
  return user.displayName?.trim() || user.email || user.id;
}
