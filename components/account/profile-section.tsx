"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, useSyncExternalStore, type FormEvent } from "react";
import { initialsOf, providerLabel, selectedAvatar, type AvatarOption } from "@/lib/account/avatar-choices";
import type { AccountProfile } from "@/lib/account/get-account-profile";
import { characterCount, DISPLAY_NAME_MAX, displayNameProblem } from "@/lib/account/profile-input";
import { Button } from "../ui/button";
import { Avatar } from "./avatar";
import { call, failureMessage, RequestError } from "./request";

const PROFILE_KEY = ["account", "profile"] as const;

const fetchProfile = async () => (await call<{ profile: AccountProfile }>("/api/account/profile")).profile;

const saveDisplayName = (displayName: string) =>
  call<{ profile: { displayName: string | null } }>("/api/account/profile", { method: "POST", body: JSON.stringify({ displayName }) });

const saveAvatar = (avatarUrl: string | null) =>
  call<{ avatarUrl: string | null }>("/api/account/profile/avatar", { method: "POST", body: JSON.stringify({ avatarUrl }) });

/** A server-rendered form must not submit before React handles it: controls stay disabled until hydrated. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
}

/**
 * The Profile section: the person's avatar, display name and email. Data comes from the server render and
 * then from GET /api/account/profile (React Query); each change is applied at once (optimistically) and
 * rolled back, with a message, if the server refuses it.
 */
export function ProfileSection({ initial }: { initial: AccountProfile }) {
  const query = useQuery({ queryKey: PROFILE_KEY, queryFn: fetchProfile, initialData: initial });
  const profile = query.data;
  const initials = initialsOf(profile.displayName, profile.email);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex items-center gap-4">
        <Avatar url={profile.avatarUrl} initials={initials} />
        <div className="min-w-0">
          <p className="truncate text-lg font-semibold" data-testid="account-name">
            {profile.displayName ?? profile.email}
          </p>
          <p className="truncate text-sm text-zinc-600">{profile.email}</p>
        </div>
      </div>
      {query.isRefetchError ? (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Your profile could not be refreshed: {failureMessage(query.error)}{" "}
          <button type="button" onClick={() => void query.refetch()} className="font-medium underline focus-visible:outline-2 focus-visible:outline-zinc-900">
            Try again
          </button>
        </p>
      ) : null}
      <DisplayNameForm current={profile.displayName ?? ""} />
      <AvatarPicker options={profile.avatarOptions} avatarUrl={profile.avatarUrl} initials={initials} />
      <section aria-labelledby="email-heading">
        <h2 id="email-heading" className="text-base font-semibold">
          Email
        </h2>
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-zinc-600">Address</dt>
          <dd className="min-w-0 break-all" data-testid="account-email">
            {profile.email}
          </dd>
          <dt className="text-zinc-600">From</dt>
          <dd data-testid="account-provider">{providerLabel(profile.emailProvider)}</dd>
        </dl>
        <p className="mt-2 text-xs text-zinc-600">Your email comes from the account you sign in with and cannot be changed here.</p>
      </section>
    </div>
  );
}

function DisplayNameForm({ current }: { current: string }) {
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [value, setValue] = useState(current);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();
  const countId = useId();
  const mutation = useMutation({
    mutationFn: saveDisplayName,
    onMutate: async (displayName) => {
      setFormError(null);
      await queryClient.cancelQueries({ queryKey: PROFILE_KEY });
      const previous = queryClient.getQueryData<AccountProfile>(PROFILE_KEY);
      if (previous) queryClient.setQueryData<AccountProfile>(PROFILE_KEY, { ...previous, displayName: displayName.trim().normalize("NFC") });
      return { previous };
    },
    onError: (error, _name, context) => {
      if (context?.previous) queryClient.setQueryData(PROFILE_KEY, context.previous);
      if (error instanceof RequestError && error.code === "invalid_input") setFieldError(error.message.replace(/^displayName: /, ""));
      else setFormError(`Your name was not saved. ${failureMessage(error)}`);
    },
    onSuccess: (result) => {
      queryClient.setQueryData<AccountProfile>(PROFILE_KEY, (old) => (old ? { ...old, displayName: result.profile.displayName } : old));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: PROFILE_KEY }),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problem = displayNameProblem(value);
    setFieldError(problem);
    setFormError(null);
    mutation.reset();
    if (problem === null) mutation.mutate(value);
  };
  const count = characterCount(value.trim());
  return (
    <section aria-labelledby={`${inputId}-heading`}>
      <h2 id={`${inputId}-heading`} className="text-base font-semibold">
        Display name
      </h2>
      <form onSubmit={onSubmit} noValidate className="mt-2 flex flex-col gap-2">
        <label htmlFor={inputId} className="text-sm text-zinc-600">
          Display name
        </label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            id={inputId}
            name="displayName"
            value={value}
            autoComplete="name"
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={`${countId}${fieldError ? ` ${errorId}` : ""}`}
            onChange={(e) => {
              setValue(e.target.value);
              // Once an error is shown, it follows the text: it goes as soon as the name is fixed.
              if (fieldError) setFieldError(displayNameProblem(e.target.value));
            }}
            className={`min-w-0 flex-1 rounded-lg border px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 ${
              fieldError ? "border-red-600" : "border-zinc-400"
            }`}
          />
          <Button type="submit" variant="secondary" className="sm:w-auto" disabled={!hydrated || mutation.isPending}>
            {mutation.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
        <p id={countId} className={`text-xs ${count > DISPLAY_NAME_MAX ? "text-red-700" : "text-zinc-600"}`}>
          {count} of {DISPLAY_NAME_MAX} characters
        </p>
        {fieldError ? (
          <p id={errorId} role="alert" data-testid="display-name-error" className="text-sm text-red-700">
            {fieldError}
          </p>
        ) : null}
        {formError ? (
          <p role="alert" data-testid="display-name-failure" className="text-sm text-red-700">
            {formError}
          </p>
        ) : null}
        <p role="status" className="text-sm text-emerald-700">
          {mutation.isSuccess ? <span data-testid="display-name-saved">Saved.</span> : null}
        </p>
      </form>
    </section>
  );
}

function AvatarPicker({ options, avatarUrl, initials }: { options: AvatarOption[]; avatarUrl: string | null; initials: string }) {
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const current = selectedAvatar(options, avatarUrl);
  const [choice, setChoice] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const picked = choice ?? (current ? options.indexOf(current) : -1);
  const headingId = useId();
  const mutation = useMutation({
    mutationFn: saveAvatar,
    onMutate: async (url) => {
      setError(null);
      await queryClient.cancelQueries({ queryKey: PROFILE_KEY });
      const previous = queryClient.getQueryData<AccountProfile>(PROFILE_KEY);
      if (previous) queryClient.setQueryData<AccountProfile>(PROFILE_KEY, { ...previous, avatarUrl: url });
      return { previous };
    },
    onError: (err, _url, context) => {
      if (context?.previous) queryClient.setQueryData(PROFILE_KEY, context.previous);
      setChoice(null);
      setError(`Your avatar was not changed. ${failureMessage(err)}`);
    },
    onSuccess: () => setChoice(null),
    onSettled: () => queryClient.invalidateQueries({ queryKey: PROFILE_KEY }),
  });
  const target = options[picked];
  const unchanged = target === undefined || target === current;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (target && !unchanged) mutation.mutate(target.url);
  };
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="text-base font-semibold">
        Avatar
      </h2>
      <form onSubmit={onSubmit} className="mt-2 flex flex-col gap-3">
        <fieldset>
          <legend className="text-sm text-zinc-600">Choose the picture of one of your linked accounts, or your initials.</legend>
          <div className="mt-2 flex flex-wrap gap-2">
            {options.map((option, i) => (
              <label
                key={option.url ?? "initials"}
                className={`flex cursor-pointer items-center gap-3 rounded-lg border px-3 py-2 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-zinc-900 has-[:focus-visible]:ring-offset-2 ${
                  i === picked ? "border-zinc-900 bg-zinc-100" : "border-zinc-300 bg-white"
                }`}
              >
                <input
                  type="radio"
                  name="avatar"
                  value={String(i)}
                  checked={i === picked}
                  onChange={() => {
                    setChoice(i);
                    mutation.reset();
                  }}
                  className="h-4 w-4 accent-zinc-900 outline-none"
                />
                <Avatar url={option.url} initials={initials} size="sm" />
                <span>{option.label}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <Button type="submit" variant="secondary" className="sm:w-auto" disabled={!hydrated || mutation.isPending || unchanged}>
            {mutation.isPending ? "Saving…" : "Use this avatar"}
          </Button>
        </div>
        {error ? (
          <p role="alert" data-testid="avatar-error" className="text-sm text-red-700">
            {error}
          </p>
        ) : null}
        <p role="status" className="text-sm text-emerald-700">
          {mutation.isSuccess ? <span data-testid="avatar-saved">Avatar updated.</span> : null}
        </p>
      </form>
    </section>
  );
}
