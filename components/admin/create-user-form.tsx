"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, useSyncExternalStore, type FormEvent } from "react";
import { createUserBody, type CreateUserBody } from "@/lib/admin/create-user-input";
import { ROLES, type AppRole } from "@/lib/auth/permissions";
import { Button } from "../ui/button";
import { ToastProvider, useToast } from "./toast";
import { AdminRequestError, failureMessage, postAdmin, roleLabel } from "./user-actions";
import { UserWriteNotice } from "./user-write-notice";

type Field = "email" | "name" | "role";
type Values = { email: string; name: string; role: AppRole };
type Problems = Partial<Record<Field, string>>;
type Created = { user: { id: string; email: string; name: string; role: AppRole } };

const FIELDS: readonly Field[] = ["email", "name", "role"];
const LABELS: Record<Field, string> = { email: "Email", name: "Display name", role: "Role" };
const NAME_MAX = 100;

/** What the shared schema (lib/admin/create-user-input.ts) says about each field, in a sentence for a person. */
function problemsOf(values: Values): Problems {
  const parsed = createUserBody.safeParse(values);
  if (parsed.success) return {};
  const problems: Problems = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field !== "email" && field !== "name" && field !== "role") continue;
    if (problems[field]) continue;
    problems[field] = sentence(field, values[field], issue.message);
  }
  return problems;
}

function sentence(field: Field, value: string, message: string): string {
  if (value.trim() === "") return field === "email" ? "Enter an email address." : field === "name" ? "Enter a display name." : "Choose a role.";
  if (field === "role") return "Choose one of the roles.";
  return `${LABELS[field]} ${message}.`;
}

/** A server-rendered form must not submit before React handles it: the button stays disabled until hydrated. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
}

/**
 * The "Create a user" page: email, display name and role. The values are checked here with the route's own
 * schema, each problem next to its field (what was typed stays); then POST /api/admin/users through a React
 * Query mutation. The server's refusals: an existing email at the email field, a field the server refused at
 * that field, anything else as an alert; an admin without a verified authenticator gets the set-up notice in
 * place of the form. On success the new user's page opens with a toast.
 */
export function CreateUserForm({ needsEnrolment }: { needsEnrolment: boolean }) {
  return (
    // React Query's client comes from the admin layout; the toast is flashed to the user's page.
    <ToastProvider>
      <CreateUser needsEnrolment={needsEnrolment} />
    </ToastProvider>
  );
}

function CreateUser({ needsEnrolment: initialNeedsEnrolment }: { needsEnrolment: boolean }) {
  const [needsEnrolment, setNeedsEnrolment] = useState(initialNeedsEnrolment);
  return (
    <div className="mx-auto flex w-full max-w-xl flex-col gap-4">
      <div>
        <Link
          href="/admin/users"
          className="text-sm font-medium text-zinc-700 underline underline-offset-2 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
        >
          ← All users
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">Create a user</h1>
        <p className="mt-1 text-sm text-zinc-600">The person then signs in with Google or Apple under this email address and lands on this account.</p>
      </div>
      {needsEnrolment ? (
        // The notice's link comes back here (/admin/users/new) once an authenticator is set up.
        <UserWriteNotice
          returnTo="/admin/users/new"
          detail="Creating a user needs a sign-in with an authenticator app. Once it is set up, you come back to this form."
        />
      ) : (
        <CreateUserFields onEnrolmentRequired={() => setNeedsEnrolment(true)} />
      )}
    </div>
  );
}

function CreateUserFields({ onEnrolmentRequired }: { onEnrolmentRequired: () => void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const hydrated = useHydrated();
  const [values, setValues] = useState<Values>({ email: "", name: "", role: "user" });
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const base = useId();
  const id = (field: Field, part: "input" | "hint" | "error") => `${base}-${field}-${part}`;

  const focus = (field: Field) => document.getElementById(id(field, "input"))?.focus();

  const mutation = useMutation<Created, Error, CreateUserBody>({
    mutationFn: (body) => postAdmin<Created>("/api/admin/users", body),
    onMutate: () => setFailure(null),
    onSuccess: ({ user }) => {
      setLeaving(true);
      void queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
      toast.flash("success", `Created ${user.name} (${user.email}) as ${roleLabel(user.role)}. They can now sign in with Google or Apple under this email.`);
      router.push(`/admin/users/${user.id}`);
    },
    onError: (error) => {
      if (error instanceof AdminRequestError && error.code === "conflict") {
        setProblems((p) => ({ ...p, email: "A user with this email already exists." }));
        focus("email");
        return;
      }
      if (error instanceof AdminRequestError && error.code === "mfa_enrolment_required") {
        onEnrolmentRequired();
        return;
      }
      // The server's schema is the same as the form's; if it still refuses a field, show it there.
      const field = error instanceof AdminRequestError && error.code === "invalid_input" ? /^(email|name|role): (.+)$/.exec(error.message) : null;
      if (field) {
        const name = field[1] as Field;
        setProblems((p) => ({ ...p, [name]: sentence(name, values[name], field[2] as string) }));
        focus(name);
        return;
      }
      setFailure(`The user was not created. ${failureMessage(error)}`);
    },
  });

  const change = (field: Field, value: string) => {
    const next = { ...values, [field]: value } as Values;
    setValues(next);
    // Once a problem is shown, it follows the text: it goes as soon as the value is fixed.
    if (problems[field]) setProblems((p) => ({ ...p, [field]: problemsOf(next)[field] }));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (mutation.isPending || leaving) return;
    const found = problemsOf(values);
    setProblems(found);
    setFailure(null);
    const first = FIELDS.find((f) => found[f]);
    if (first) {
      focus(first);
      return;
    }
    mutation.mutate({ email: values.email, name: values.name, role: values.role });
  };

  const describedBy = (field: Field, hint: boolean) =>
    [hint ? id(field, "hint") : null, problems[field] ? id(field, "error") : null].filter(Boolean).join(" ") || undefined;
  const inputClass = (field: Field) =>
    `w-full min-w-0 rounded-lg border bg-white px-3 py-2 text-base outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 sm:text-sm ${
      problems[field] ? "border-red-600" : "border-zinc-400"
    }`;
  const error = (field: Field) =>
    problems[field] ? (
      <p id={id(field, "error")} className="text-sm text-red-700" data-testid={`create-user-${field}-error`}>
        {problems[field]}
      </p>
    ) : null;
  const busy = mutation.isPending || leaving;

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="New user"
      className="flex flex-col gap-5 rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm sm:p-6"
      data-testid="create-user-form"
    >
      <div className="flex flex-col gap-1">
        <label htmlFor={id("email", "input")} className="text-sm font-medium">
          {LABELS.email}
        </label>
        <input
          id={id("email", "input")}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={values.email}
          aria-invalid={problems.email ? true : undefined}
          aria-describedby={describedBy("email", true)}
          onChange={(e) => change("email", e.target.value)}
          className={inputClass("email")}
        />
        <p id={id("email", "hint")} className="text-xs text-zinc-600">
          The address of their Google or Apple account.
        </p>
        {error("email")}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={id("name", "input")} className="text-sm font-medium">
          {LABELS.name}
        </label>
        <input
          id={id("name", "input")}
          name="name"
          type="text"
          autoComplete="off"
          value={values.name}
          aria-invalid={problems.name ? true : undefined}
          aria-describedby={describedBy("name", true)}
          onChange={(e) => change("name", e.target.value)}
          className={inputClass("name")}
        />
        <p id={id("name", "hint")} className="text-xs text-zinc-600">
          One line, up to {NAME_MAX} characters, without &lt; or &gt;. They can change it in their account.
        </p>
        {error("name")}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={id("role", "input")} className="text-sm font-medium">
          {LABELS.role}
        </label>
        <select
          id={id("role", "input")}
          name="role"
          value={values.role}
          aria-invalid={problems.role ? true : undefined}
          aria-describedby={describedBy("role", true)}
          onChange={(e) => change("role", e.target.value)}
          className={inputClass("role")}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
        <p id={id("role", "hint")} className="text-xs text-zinc-600">
          Support can find and view users; Admin can also change them.
        </p>
        {error("role")}
      </div>
      {failure ? (
        <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="create-user-failure">
          {failure}
        </p>
      ) : null}
      <p role="status" className="sr-only">
        {busy ? "Creating the user…" : ""}
      </p>
      <div className="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
        <Link
          href="/admin/users"
          className="inline-flex items-center justify-center rounded-lg border border-zinc-300 bg-white px-4 py-2.5 text-sm font-medium text-zinc-900 hover:bg-zinc-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-2"
        >
          Cancel
        </Link>
        <Button type="submit" className="sm:w-auto" disabled={!hydrated || busy}>
          {busy ? "Creating…" : "Create user"}
        </Button>
      </div>
    </form>
  );
}
