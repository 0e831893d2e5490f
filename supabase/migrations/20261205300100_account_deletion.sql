-- Delete account (account settings): the signed-in user deletes their own account. The deletion itself is
-- the Auth admin API's (DELETE /admin/users/{id}), which deletes the auth.users row; the user's sessions,
-- refresh tokens, identities, factors, profile and role go with it (on delete cascade), so every session
-- ends and the guard and RLS refuse the remaining access tokens.
--
-- Two steps, so that the audit row is written in the transaction of the deletion itself:
--   1. private.request_account_deletion(), as the user through RLS: the session must be active and pass
--      the step-up rule (private.assert_step_up()); it records a request for this user.
--   2. The app calls the Auth admin API. The Auth server's `delete from auth.users` fires
--      private.record_account_deletion() (before delete): if the user asked for it within the last
--      5 minutes, it appends the `account.delete` audit row in that same transaction. If the deletion
--      fails, the row is rolled back with it; a deletion by staff (no request) writes nothing here, the
--      admin operation writes its own `user.delete` row.
--
-- The audit row carries no personal data: no email, name, IP address or user agent; only the account's
-- former id (a random uuid that no longer resolves to anyone), the time, the request id and how many
-- sessions ended. public.audit_events has no foreign key to auth.users, so it outlives the user.

create table private.account_deletion_requests (
  user_id uuid primary key references auth.users (id) on delete cascade,
  session_id uuid not null,
  requested_at timestamptz not null default now(),
  request_id text check (char_length(request_id) <= 128)
);
alter table private.account_deletion_requests enable row level security;
alter table private.account_deletion_requests force row level security;
revoke all on table private.account_deletion_requests from public, anon, authenticated, service_role;

-- Step 1. Raises 42501 when the caller's session is not active, SU001 (step_up_required) when it does not
-- pass the step-up rule. Returns the time of the request; a repeated request replaces the previous one.
create function private.request_account_deletion(p_request_id text default null)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to delete the account' using errcode = '42501';
  end if;
  perform private.assert_step_up();
  insert into private.account_deletion_requests (user_id, session_id, requested_at, request_id)
  values (caller, (auth.jwt() ->> 'session_id')::uuid, now(), left(p_request_id, 128))
  on conflict (user_id) do update
    set session_id = excluded.session_id, requested_at = excluded.requested_at, request_id = excluded.request_id;
  return now();
end
$$;

revoke all on function private.request_account_deletion(text) from public, anon, service_role;
grant execute on function private.request_account_deletion(text) to authenticated;

-- Step 2. Runs in the Auth server's deletion transaction, as its role: security definer to read the request
-- and append the audit row. Before delete: the request row and the sessions are still there to be read
-- (the cascades run after).
create function private.record_account_deletion()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  request private.account_deletion_requests%rowtype;
  sessions_ended integer;
begin
  select * into request
  from private.account_deletion_requests r
  where r.user_id = old.id and r.requested_at > now() - interval '5 minutes';
  if not found then
    return old;
  end if;
  select count(*)::integer into sessions_ended from auth.sessions s where s.user_id = old.id;
  insert into public.audit_events (actor_id, action, target_user_id, request_id, after)
  values (old.id, 'account.delete', old.id, request.request_id, jsonb_build_object('sessions_ended', sessions_ended));
  return old;
end
$$;

revoke all on function private.record_account_deletion() from public;

create trigger on_auth_user_deleted
  before delete on auth.users
  for each row execute function private.record_account_deletion();
