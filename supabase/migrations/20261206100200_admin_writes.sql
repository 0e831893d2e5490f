-- The admin dashboard's writes, decided in Postgres: create a user, ban and unban, assign or remove a role,
-- end one session or all of them, remove an MFA factor, delete a user. Each write
--
--   * needs its own permission on the actor's current role (private.authorize(): role read from the table,
--     live session, not banned), then an AAL2 session: the actor has a verified MFA factor and the token's
--     session (auth.sessions.aal, as private.step_up_state() reads it) was verified with it. Refusals have
--     their own SQLSTATE so that the app can guide the person:
--       42501  forbidden (no permission, or the session is not active)
--       AAL01  mfa_enrolment_required: the actor has no verified factor
--       AAL02  mfa_required: the actor has a factor but this session is aal1
--   * refuses to act on the actor's own account (ban, delete, role change; ending sessions too: one's own
--     sessions are managed on the account pages): ADM01, with the message to show;
--   * refuses to remove or demote the last admin: ADM02. A trigger on public.user_roles applies it (and the
--     own-role rule) to every change made for a signed-in person, through these functions or straight through
--     the table's policies; a trigger on auth.users applies it to the deletions the app asks the Auth server
--     for (an admin's deletion and an account's own deletion). Maintenance by the database owner outside any
--     request (seed scripts, fixtures) is not a person acting and is not refused;
--   * writes its audit row (actor, reason, before, after, ip, user agent, request id) in the transaction of
--     the change. Ban, unban, role, sessions: one function does the change and the row. Creating a user,
--     deleting one and removing a factor go through the Auth admin API, which cannot join a transaction of
--     ours; there the app first records a request (checked like the rest), and a trigger on the Auth
--     server's own insert or delete writes the audit row in the Auth server's transaction, as
--     private.record_account_deletion() does for an account's own deletion.
-- Other SQLSTATEs: P0002 no such user / session / factor (404), ADM03 the typed confirmation does not match,
-- ADM04 a user with this email exists (409), 22023 an argument out of range (400).

-- ---------------------------------------------------------------------------------------------------
-- The AAL2 rule
-- ---------------------------------------------------------------------------------------------------

-- Whether the request's session is AAL2 with a verified factor behind it. Not the token's `aal` claim alone:
-- removing a factor drops the sessions it verified to aal1 in auth.sessions at once, while a token keeps its
-- claim until it expires.
create function private.session_mfa_verified()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  sid text := auth.jwt() ->> 'session_id';
begin
  if auth.uid() is null or sid is null
    or sid !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return exists (
    select 1 from auth.mfa_factors f where f.user_id = auth.uid() and f.status = 'verified'
  ) and exists (
    select 1 from auth.sessions s
    where s.id = sid::uuid and s.user_id = auth.uid() and s.aal::text in ('aal2', 'aal3')
  );
end
$$;

-- Raises unless the caller may make an admin write that needs `p_permission`; see the top of this file.
create function private.assert_admin_write(p_permission public.app_permission)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null or not private.session_is_active() then
    raise exception 'permission denied: the session is not active' using errcode = '42501';
  end if;
  if not private.authorize(p_permission) then
    raise exception 'forbidden' using errcode = '42501';
  end if;
  if private.session_mfa_verified() then
    return;
  end if;
  if exists (select 1 from auth.mfa_factors f where f.user_id = auth.uid() and f.status = 'verified') then
    raise exception 'mfa_required' using errcode = 'AAL02',
      detail = 'Enter a code from your authenticator app before making changes';
  end if;
  raise exception 'mfa_enrolment_required' using errcode = 'AAL01',
    detail = 'Set up two-factor authentication before making changes';
end
$$;

-- The request's actor may not act on their own account.
create function private.assert_not_self(p_user_id uuid, p_message text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_user_id = auth.uid() then
    raise exception '%', p_message using errcode = 'ADM01';
  end if;
end
$$;

create function private.assert_reason(p_reason text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_reason is not null and (char_length(p_reason) > 500 or p_reason ~ '[[:cntrl:]]') then
    raise exception 'reason: at most 500 characters, without control characters' using errcode = '22023';
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- The last admin
-- ---------------------------------------------------------------------------------------------------

-- Whether an admin other than p_user_id can still act: the role `admin`, not banned, not deleted. Callers
-- hold the advisory lock of private.lock_admins() first, so two transactions demoting two admins at the same
-- time cannot both see the other one still there.
create function private.other_active_admin_exists(p_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.user_roles r
    join auth.users u on u.id = r.user_id
    where r.role = 'admin'
      and r.user_id <> p_user_id
      and (u.banned_until is null or u.banned_until <= now())
      and u.deleted_at is null
  )
$$;

create function private.lock_admins()
returns void
language sql
volatile
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended('public.user_roles: the last admin', 0))
$$;

-- Before every change of a role row made in a request of the app's data path (the transaction runs as
-- `authenticated` with the person's claims, through the functions below or straight through the table's
-- policies; a security definer function changes current_user, not the `role` setting): nobody changes their
-- own role, and the last admin is neither demoted nor removed. The Auth server's transactions (sign-up's
-- private.handle_new_user, a deletion's cascade) are not requests of the data path; a deletion is checked on
-- auth.users below.
create function private.user_roles_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := auth.uid();
begin
  if actor is null or current_setting('role', true) is distinct from 'authenticated' then
    return coalesce(new, old);
  end if;
  if (tg_op in ('UPDATE', 'DELETE') and old.user_id = actor) or (tg_op in ('INSERT', 'UPDATE') and new.user_id = actor) then
    raise exception 'You cannot change your own role' using errcode = 'ADM01';
  end if;
  if tg_op in ('UPDATE', 'DELETE') and old.role = 'admin'
    and (tg_op = 'DELETE' or new.role <> 'admin' or new.user_id <> old.user_id) then
    perform private.lock_admins();
    if not private.other_active_admin_exists(old.user_id) then
      raise exception 'This user is the last admin' using errcode = 'ADM02';
    end if;
  end if;
  return coalesce(new, old);
end
$$;

create trigger user_roles_guard
  before insert or update or delete on public.user_roles
  for each row execute function private.user_roles_guard();
alter table public.user_roles enable always trigger user_roles_guard;

-- Role writes straight through the table need AAL2 too (the functions below are the app's path).
alter policy user_roles_insert on public.user_roles
  with check ((select private.authorize('roles.assign')) and (select private.session_mfa_verified()));
alter policy user_roles_update on public.user_roles
  using ((select private.authorize('roles.assign')) and (select private.session_mfa_verified()))
  with check ((select private.authorize('roles.assign')) and (select private.session_mfa_verified()));
alter policy user_roles_delete on public.user_roles
  using ((select private.authorize('roles.assign')) and (select private.session_mfa_verified()));

-- The older force sign-out function keeps its signature and grant; it now needs AAL2 and sessions.revoke.
create or replace function private.revoke_user_sessions(p_user_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  removed integer;
begin
  perform private.assert_admin_write('sessions.revoke');
  delete from auth.sessions s where s.user_id = p_user_id;
  get diagnostics removed = row_count;
  return removed;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Audit
-- ---------------------------------------------------------------------------------------------------

create function private.admin_audit(
  p_actor uuid, p_action text, p_target uuid, p_before jsonb, p_after jsonb,
  p_ip inet, p_user_agent text, p_request_id text
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, before, after)
  values (p_actor, p_action, p_target, p_ip, left(p_user_agent, 1024), left(p_request_id, 128), p_before, p_after)
$$;

-- ---------------------------------------------------------------------------------------------------
-- Ban and unban
-- ---------------------------------------------------------------------------------------------------

-- Bans for p_seconds (the app parses the Go duration the Auth server's ban_duration takes; at most 876000h)
-- and deletes the user's sessions, so their unexpired access tokens die on the next request too (Supabase
-- Auth keeps a banned user's sessions; the guard and RLS refuse a banned user anyway). The same column and
-- value as the Auth admin API's ban, written in the transaction of the audit row.
create function private.admin_ban_user(
  p_user_id uuid,
  p_seconds numeric,
  p_duration text,
  p_reason text,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns table (banned_until timestamptz, sessions_revoked integer)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  previous timestamptz;
  until timestamptz;
  removed integer;
begin
  perform private.assert_admin_write('users.ban');
  perform private.assert_not_self(p_user_id, 'You cannot ban your own account');
  perform private.assert_reason(p_reason);
  if p_reason is null or btrim(p_reason) = '' then
    raise exception 'reason: give a reason for the ban' using errcode = '22023';
  end if;
  if p_seconds is null or p_seconds <= 0 or p_seconds > 876000::numeric * 3600 then
    raise exception 'duration: between a moment and 876000h' using errcode = '22023';
  end if;
  select u.banned_until into previous from auth.users u where u.id = p_user_id and u.deleted_at is null for update;
  if not found then
    raise exception 'No such user' using errcode = 'P0002';
  end if;
  until := now() + make_interval(secs => p_seconds::double precision);
  update auth.users u set banned_until = until, updated_at = now() where u.id = p_user_id;
  delete from auth.sessions s where s.user_id = p_user_id;
  get diagnostics removed = row_count;
  perform private.admin_audit(auth.uid(), 'user.ban', p_user_id,
    jsonb_build_object('banned_until', previous),
    jsonb_build_object('banned_until', until, 'ban_duration', left(p_duration, 32), 'sessions_revoked', removed, 'reason', p_reason),
    p_ip, p_user_agent, p_request_id);
  return query select until, removed;
end
$$;

-- Lifts a ban (also one that has run out, which leaves banned_until in the past). Returns the previous
-- banned_until; nothing is written for a user who was never banned.
create function private.admin_unban_user(
  p_user_id uuid,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns table (previous_banned_until timestamptz, changed boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  previous timestamptz;
begin
  perform private.assert_admin_write('users.ban');
  perform private.assert_not_self(p_user_id, 'You cannot unban your own account');
  perform private.assert_reason(p_reason);
  select u.banned_until into previous from auth.users u where u.id = p_user_id and u.deleted_at is null for update;
  if not found then
    raise exception 'No such user' using errcode = 'P0002';
  end if;
  if previous is null then
    return query select null::timestamptz, false;
    return;
  end if;
  update auth.users u set banned_until = null, updated_at = now() where u.id = p_user_id;
  perform private.admin_audit(auth.uid(), 'user.unban', p_user_id,
    jsonb_build_object('banned_until', previous),
    jsonb_build_object('banned_until', null, 'reason', p_reason),
    p_ip, p_user_agent, p_request_id);
  return query select previous, true;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Roles
-- ---------------------------------------------------------------------------------------------------

-- Assigns p_role, or removes the role row when p_role is null (the user then has no permission, as `user`).
-- Effective on the user's next request: private.authorize() reads the table. The own-role and last-admin
-- rules are user_roles_guard's.
create function private.admin_set_role(
  p_user_id uuid,
  p_role public.app_role,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns table (previous_role public.app_role, new_role public.app_role, changed boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  previous public.app_role;
  had_row boolean;
begin
  perform private.assert_admin_write('roles.assign');
  perform private.assert_not_self(p_user_id, 'You cannot change your own role');
  perform private.assert_reason(p_reason);
  perform 1 from auth.users u where u.id = p_user_id and u.deleted_at is null for update;
  if not found then
    raise exception 'No such user' using errcode = 'P0002';
  end if;
  select r.role into previous from public.user_roles r where r.user_id = p_user_id for update;
  had_row := found;
  if (p_role is null and not had_row) or (had_row and previous = p_role) then
    return query select previous, p_role, false;
    return;
  end if;
  if p_role is null then
    delete from public.user_roles r where r.user_id = p_user_id;
  else
    insert into public.user_roles (user_id, role) values (p_user_id, p_role)
    on conflict (user_id) do update set role = excluded.role;
  end if;
  perform private.admin_audit(auth.uid(), case when p_role is null then 'role.remove' else 'role.assign' end, p_user_id,
    jsonb_build_object('role', previous),
    jsonb_build_object('role', p_role, 'reason', p_reason),
    p_ip, p_user_agent, p_request_id);
  return query select previous, p_role, true;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Sessions
-- ---------------------------------------------------------------------------------------------------

-- Ends one session of the user (its refresh tokens and MFA claims go with it): that device is signed out on
-- its next request.
create function private.admin_end_user_session(
  p_user_id uuid,
  p_session_id uuid,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  ended record;
begin
  perform private.assert_admin_write('sessions.revoke');
  perform private.assert_not_self(p_user_id, 'You cannot end your own sessions here: use your devices page');
  delete from auth.sessions s where s.id = p_session_id and s.user_id = p_user_id
  returning s.id, s.aal::text as aal, s.created_at into ended;
  if not found then
    raise exception 'No such session' using errcode = 'P0002';
  end if;
  perform private.admin_audit(auth.uid(), 'session.end', p_user_id,
    jsonb_build_object('session_id', ended.id, 'aal', ended.aal, 'created_at', ended.created_at),
    jsonb_build_object('sessions_ended', 1),
    p_ip, p_user_agent, p_request_id);
end
$$;

-- Ends every session of the user.
create function private.admin_revoke_sessions(
  p_user_id uuid,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  removed integer;
begin
  perform private.assert_admin_write('sessions.revoke');
  perform private.assert_not_self(p_user_id, 'You cannot sign yourself out everywhere here: use your devices page');
  perform private.assert_reason(p_reason);
  perform 1 from auth.users u where u.id = p_user_id and u.deleted_at is null;
  if not found then
    raise exception 'No such user' using errcode = 'P0002';
  end if;
  delete from auth.sessions s where s.user_id = p_user_id;
  get diagnostics removed = row_count;
  perform private.admin_audit(auth.uid(), 'sessions.revoke', p_user_id,
    jsonb_build_object('sessions', removed),
    jsonb_build_object('sessions', 0, 'sessions_revoked', removed, 'reason', p_reason),
    p_ip, p_user_agent, p_request_id);
  return removed;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Create a user (through the Auth admin API)
-- ---------------------------------------------------------------------------------------------------

-- Step 1, as the admin: checked like every write; records what the new user gets. Step 2: the app calls
-- POST /admin/users (email confirmed, user_metadata.full_name = the name). Step 3: the Auth server's insert
-- fires private.complete_admin_user_creation(), which gives the role and the display name and writes the
-- `user.create` row in that insert's transaction. A request lives 5 minutes; the app cancels it if the Auth
-- server refuses.
create table private.admin_user_creations (
  email text primary key check (email = lower(email) and char_length(email) <= 320),
  actor_id uuid not null,
  display_name text not null check (char_length(display_name) between 1 and 100),
  role public.app_role not null,
  reason text check (char_length(reason) <= 500),
  ip inet,
  user_agent text check (char_length(user_agent) <= 1024),
  request_id text check (char_length(request_id) <= 128),
  requested_at timestamptz not null default now()
);
alter table private.admin_user_creations enable row level security;
alter table private.admin_user_creations force row level security;
revoke all on table private.admin_user_creations from public, anon, authenticated, service_role;

create function private.admin_request_user_creation(
  p_email text,
  p_display_name text,
  p_role public.app_role,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  normalized text := lower(btrim(p_email));
begin
  perform private.assert_admin_write('users.create');
  -- Giving a staff role is a role assignment as well.
  if coalesce(p_role, 'user') <> 'user' and not private.authorize('roles.assign') then
    raise exception 'forbidden' using errcode = '42501';
  end if;
  perform private.assert_reason(p_reason);
  if normalized is null or normalized !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$' or char_length(normalized) > 320 then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;
  if p_display_name is null or char_length(btrim(p_display_name)) not between 1 and 100 or p_display_name ~ '[[:cntrl:]]' then
    raise exception 'name: 1 to 100 characters, without control characters' using errcode = '22023';
  end if;
  if exists (select 1 from auth.users u where lower(u.email) = normalized) then
    raise exception 'A user with this email already exists' using errcode = 'ADM04';
  end if;
  insert into private.admin_user_creations (email, actor_id, display_name, role, reason, ip, user_agent, request_id, requested_at)
  values (normalized, auth.uid(), btrim(p_display_name), coalesce(p_role, 'user'), p_reason, p_ip,
          left(p_user_agent, 1024), left(p_request_id, 128), now())
  on conflict (email) do update
    set actor_id = excluded.actor_id, display_name = excluded.display_name, role = excluded.role,
        reason = excluded.reason, ip = excluded.ip, user_agent = excluded.user_agent,
        request_id = excluded.request_id, requested_at = excluded.requested_at;
end
$$;

-- The admin's own request, when the Auth server refused to create the user.
create function private.admin_cancel_user_creation(p_email text)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  delete from private.admin_user_creations c where c.email = lower(btrim(p_email)) and c.actor_id = auth.uid()
$$;

create function private.complete_admin_user_creation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  request private.admin_user_creations%rowtype;
begin
  if new.email is null then
    return null;
  end if;
  delete from private.admin_user_creations c
  where c.email = lower(new.email) and c.requested_at > now() - interval '5 minutes'
  returning * into request;
  if not found then
    return null;
  end if;
  -- private.handle_new_user (on_auth_user_created, which fires first: triggers fire in name order) has
  -- written the profile and the `user` role.
  update public.profiles p set display_name = request.display_name where p.id = new.id;
  insert into public.user_roles (user_id, role) values (new.id, request.role)
  on conflict (user_id) do update set role = excluded.role;
  perform private.admin_audit(request.actor_id, 'user.create', new.id, null,
    jsonb_build_object('email', new.email, 'display_name', request.display_name, 'role', request.role, 'reason', request.reason),
    request.ip, request.user_agent, request.request_id);
  return null;
end
$$;

create trigger on_auth_user_created_by_admin
  after insert on auth.users
  for each row execute function private.complete_admin_user_creation();

-- ---------------------------------------------------------------------------------------------------
-- Delete a user (through the Auth admin API)
-- ---------------------------------------------------------------------------------------------------

-- Step 1, as the admin: checked like every write, the typed confirmation is the user's email
-- (case-insensitive), and not the last admin. Step 2: DELETE /admin/users/{id}. Step 3, in the Auth server's
-- delete: private.record_admin_user_deletion() (before delete) checks the last admin again under the lock
-- and writes the `user.delete` row with what the user was.
create table private.admin_user_deletions (
  user_id uuid primary key references auth.users (id) on delete cascade,
  actor_id uuid not null,
  reason text check (char_length(reason) <= 500),
  ip inet,
  user_agent text check (char_length(user_agent) <= 1024),
  request_id text check (char_length(request_id) <= 128),
  requested_at timestamptz not null default now()
);
alter table private.admin_user_deletions enable row level security;
alter table private.admin_user_deletions force row level security;
revoke all on table private.admin_user_deletions from public, anon, authenticated, service_role;

create function private.admin_request_user_deletion(
  p_user_id uuid,
  p_confirm_email text,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  target_email text;
begin
  perform private.assert_admin_write('users.delete');
  perform private.assert_not_self(p_user_id, 'You cannot delete your own account here');
  perform private.assert_reason(p_reason);
  select u.email into target_email from auth.users u where u.id = p_user_id and u.deleted_at is null;
  if not found then
    raise exception 'No such user' using errcode = 'P0002';
  end if;
  if target_email is null or p_confirm_email is null or lower(btrim(p_confirm_email)) <> lower(target_email) then
    raise exception 'Type the user''s email address to confirm' using errcode = 'ADM03';
  end if;
  if exists (select 1 from public.user_roles r where r.user_id = p_user_id and r.role = 'admin') then
    perform private.lock_admins();
    if not private.other_active_admin_exists(p_user_id) then
      raise exception 'This user is the last admin' using errcode = 'ADM02';
    end if;
  end if;
  insert into private.admin_user_deletions (user_id, actor_id, reason, ip, user_agent, request_id, requested_at)
  values (p_user_id, auth.uid(), p_reason, p_ip, left(p_user_agent, 1024), left(p_request_id, 128), now())
  on conflict (user_id) do update
    set actor_id = excluded.actor_id, reason = excluded.reason, ip = excluded.ip, user_agent = excluded.user_agent,
        request_id = excluded.request_id, requested_at = excluded.requested_at;
end
$$;

-- Before the Auth server deletes a user: the request rows are still there (cascades run after). A deletion
-- asked for by an admin or by the account's owner is refused if the user is the last admin; an admin's writes
-- the `user.delete` row.
create function private.record_admin_user_deletion()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  request private.admin_user_deletions%rowtype;
  asked boolean;
  was_role public.app_role;
  name text;
  sessions_ended integer;
begin
  select * into request from private.admin_user_deletions r
  where r.user_id = old.id and r.requested_at > now() - interval '5 minutes';
  asked := found or exists (
    select 1 from private.account_deletion_requests a where a.user_id = old.id and a.requested_at > now() - interval '5 minutes'
  );
  if not asked then
    return old;
  end if;
  select r.role into was_role from public.user_roles r where r.user_id = old.id;
  if was_role = 'admin' then
    perform private.lock_admins();
    if not private.other_active_admin_exists(old.id) then
      raise exception 'This user is the last admin' using errcode = 'ADM02';
    end if;
  end if;
  if request.user_id is null then
    return old;
  end if;
  select p.display_name into name from public.profiles p where p.id = old.id;
  select count(*)::integer into sessions_ended from auth.sessions s where s.user_id = old.id;
  perform private.admin_audit(request.actor_id, 'user.delete', old.id,
    jsonb_build_object('email', old.email, 'display_name', name, 'role', coalesce(was_role, 'user'),
                       'banned_until', old.banned_until, 'created_at', old.created_at),
    jsonb_build_object('deleted', true, 'sessions_ended', sessions_ended, 'reason', request.reason),
    request.ip, request.user_agent, request.request_id);
  return old;
end
$$;

create trigger on_auth_user_deleted_by_admin
  before delete on auth.users
  for each row execute function private.record_admin_user_deletion();

-- ---------------------------------------------------------------------------------------------------
-- Remove an MFA factor (through the Auth admin API), for a lost phone
-- ---------------------------------------------------------------------------------------------------

-- Step 1, as the admin. Step 2: DELETE /admin/users/{id}/factors/{factor_id}; the Auth server deletes the
-- factor and drops the sessions it verified to aal1. Step 3, in that delete:
-- private.record_admin_factor_removal() writes the `factor.delete` row.
create table private.admin_factor_removals (
  factor_id uuid primary key references auth.mfa_factors (id) on delete cascade,
  user_id uuid not null,
  actor_id uuid not null,
  reason text check (char_length(reason) <= 500),
  ip inet,
  user_agent text check (char_length(user_agent) <= 1024),
  request_id text check (char_length(request_id) <= 128),
  requested_at timestamptz not null default now()
);
alter table private.admin_factor_removals enable row level security;
alter table private.admin_factor_removals force row level security;
revoke all on table private.admin_factor_removals from public, anon, authenticated, service_role;

create function private.admin_request_factor_removal(
  p_user_id uuid,
  p_factor_id uuid,
  p_reason text default null,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform private.assert_admin_write('factors.delete');
  perform private.assert_reason(p_reason);
  perform 1 from auth.mfa_factors f where f.id = p_factor_id and f.user_id = p_user_id;
  if not found then
    raise exception 'No such factor' using errcode = 'P0002';
  end if;
  insert into private.admin_factor_removals (factor_id, user_id, actor_id, reason, ip, user_agent, request_id, requested_at)
  values (p_factor_id, p_user_id, auth.uid(), p_reason, p_ip, left(p_user_agent, 1024), left(p_request_id, 128), now())
  on conflict (factor_id) do update
    set actor_id = excluded.actor_id, reason = excluded.reason, ip = excluded.ip, user_agent = excluded.user_agent,
        request_id = excluded.request_id, requested_at = excluded.requested_at;
end
$$;

create function private.record_admin_factor_removal()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  request private.admin_factor_removals%rowtype;
begin
  select * into request from private.admin_factor_removals r
  where r.factor_id = old.id and r.requested_at > now() - interval '5 minutes';
  if not found then
    return old;
  end if;
  perform private.admin_audit(request.actor_id, 'factor.delete', old.user_id,
    jsonb_build_object('factor_id', old.id, 'factor_type', old.factor_type, 'friendly_name', old.friendly_name,
                       'status', old.status),
    jsonb_build_object('factor_id', null, 'reason', request.reason),
    request.ip, request.user_agent, request.request_id);
  return old;
end
$$;

create trigger on_mfa_factor_deleted_by_admin
  before delete on auth.mfa_factors
  for each row execute function private.record_admin_factor_removal();

-- ---------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------

revoke all on function private.session_mfa_verified() from public, anon, service_role;
revoke all on function private.assert_admin_write(public.app_permission) from public, anon, service_role;
revoke all on function private.assert_not_self(uuid, text) from public, anon, authenticated, service_role;
revoke all on function private.assert_reason(text) from public, anon, authenticated, service_role;
revoke all on function private.other_active_admin_exists(uuid) from public, anon, authenticated, service_role;
revoke all on function private.lock_admins() from public, anon, authenticated, service_role;
revoke all on function private.user_roles_guard() from public, anon, authenticated, service_role;
revoke all on function private.admin_audit(uuid, text, uuid, jsonb, jsonb, inet, text, text) from public, anon, authenticated, service_role;
revoke all on function private.complete_admin_user_creation() from public, anon, authenticated, service_role;
revoke all on function private.record_admin_user_deletion() from public, anon, authenticated, service_role;
revoke all on function private.record_admin_factor_removal() from public, anon, authenticated, service_role;
revoke all on function private.admin_ban_user(uuid, numeric, text, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_unban_user(uuid, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_set_role(uuid, public.app_role, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_end_user_session(uuid, uuid, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_revoke_sessions(uuid, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_request_user_creation(text, text, public.app_role, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_cancel_user_creation(text) from public, anon, service_role;
revoke all on function private.admin_request_user_deletion(uuid, text, text, inet, text, text) from public, anon, service_role;
revoke all on function private.admin_request_factor_removal(uuid, uuid, text, inet, text, text) from public, anon, service_role;

grant execute on function private.session_mfa_verified() to authenticated;
grant execute on function private.assert_admin_write(public.app_permission) to authenticated;
grant execute on function private.admin_ban_user(uuid, numeric, text, text, inet, text, text) to authenticated;
grant execute on function private.admin_unban_user(uuid, text, inet, text, text) to authenticated;
grant execute on function private.admin_set_role(uuid, public.app_role, text, inet, text, text) to authenticated;
grant execute on function private.admin_end_user_session(uuid, uuid, inet, text, text) to authenticated;
grant execute on function private.admin_revoke_sessions(uuid, text, inet, text, text) to authenticated;
grant execute on function private.admin_request_user_creation(text, text, public.app_role, text, inet, text, text) to authenticated;
grant execute on function private.admin_cancel_user_creation(text) to authenticated;
grant execute on function private.admin_request_user_deletion(uuid, text, text, inet, text, text) to authenticated;
grant execute on function private.admin_request_factor_removal(uuid, uuid, text, inet, text, text) to authenticated;
