-- Roles and permissions as data (Supabase's RBAC pattern), and the two functions every policy for
-- `authenticated` goes through: private.session_is_active() and private.authorize(permission).
--
-- `private` is not in the API's exposed schemas: nothing here is reachable over HTTP, only from SQL that
-- runs as `authenticated` inside the app's RLS-scoped data path (and from the policies themselves).

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated;

create type public.app_role as enum ('user', 'support', 'admin');

create type public.app_permission as enum (
  'users.read',
  'users.write',
  'users.ban',
  'users.delete',
  'sessions.revoke',
  'roles.assign',
  'audit.read'
);

-- One role per user. A missing row means no permissions (the same as `user`).
create table public.user_roles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  role public.app_role not null default 'user'
);
create index user_roles_role_idx on public.user_roles (role);

create table public.role_permissions (
  role public.app_role not null,
  permission public.app_permission not null,
  primary key (role, permission)
);

-- Mirrored by lib/auth/permissions.ts; lib/auth/permissions.test.ts parses this statement, so keep one
-- `('role', 'permission')` tuple per row.
insert into public.role_permissions (role, permission) values
  ('support', 'users.read'),
  ('support', 'sessions.revoke'),
  ('support', 'audit.read'),
  ('admin', 'users.read'),
  ('admin', 'users.write'),
  ('admin', 'users.ban'),
  ('admin', 'users.delete'),
  ('admin', 'sessions.revoke'),
  ('admin', 'roles.assign'),
  ('admin', 'audit.read');

-- Emails that get `admin` when their user is created (private.handle_new_user). Development only:
-- supabase/seed.sql fills it; on a hosted project it stays empty and the first admin is granted with
-- `npm run grant-role -- <email> admin`.
create table private.bootstrap_admins (
  email text primary key check (email = lower(email))
);
alter table private.bootstrap_admins enable row level security;
alter table private.bootstrap_admins force row level security;
revoke all on table private.bootstrap_admins from public;

-- Supabase Auth keeps an access token valid until it expires, even after a ban, a sign-out, a deletion
-- or reuse detection. This closes that window for every query: the token's session must still exist for
-- this user, must have a refresh token that was not revoked (reuse detection revokes them all but keeps
-- the row), must not be past not_after, and the user must be neither banned nor (soft-)deleted.
-- Both are PL/pgSQL rather than SQL functions: a security definer SQL function is planned again on every
-- call, PL/pgSQL caches its plans per connection, which matters for functions every policy calls.
-- The revocation rules themselves, for an explicit user and session. Not granted to any API role: it would
-- let a user probe other people's sessions. session_is_active() applies it to the request's token;
-- private.session_status() (the app server's guard) to the token the app verified.
create function private.session_active_for(p_user_id uuid, p_session_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1
    from auth.sessions s
    join auth.users u on u.id = s.user_id
    where s.id = p_session_id
      and s.user_id = p_user_id
      and (s.not_after is null or s.not_after > now())
      and (u.banned_until is null or u.banned_until <= now())
      and u.deleted_at is null
      and exists (
        select 1 from auth.refresh_tokens r
        where r.session_id = s.id and r.revoked = false
      )
  );
end
$$;

create function private.session_is_active()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  sid text := auth.jwt() ->> 'session_id';
begin
  if sid is null or sid !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return private.session_active_for(auth.uid(), sid::uuid);
end
$$;

-- Reads the role from the table on every statement, never from the token: a demotion or a role change
-- is effective on the next request although the user's access token still carries the old user_role.
create function private.authorize(permission public.app_permission)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.session_is_active() then
    return false;
  end if;
  return exists (
    select 1
    from public.user_roles ur
    join public.role_permissions rp on rp.role = ur.role
    where ur.user_id = auth.uid()
      and rp.permission = authorize.permission
  );
end
$$;

revoke all on function private.session_active_for(uuid, uuid) from public;
revoke all on function private.session_is_active() from public;
revoke all on function private.authorize(public.app_permission) from public;
grant execute on function private.session_is_active() to authenticated;
grant execute on function private.authorize(public.app_permission) to authenticated;

-- Supabase grants every API role everything on new public tables (TRUNCATE, which RLS does not cover,
-- included); these grants are the exact set the policies below are written for.
alter table public.user_roles enable row level security;
alter table public.user_roles force row level security;
revoke all on table public.user_roles from anon, authenticated;
grant select, delete on table public.user_roles to authenticated;
grant insert (user_id, role), update (role) on table public.user_roles to authenticated;

alter table public.role_permissions enable row level security;
alter table public.role_permissions force row level security;
revoke all on table public.role_permissions from anon, authenticated;
grant select on table public.role_permissions to authenticated;

-- Policies are for `authenticated` only: anon has no grants, service_role bypasses RLS. Every function
-- call is wrapped in (select …) so Postgres evaluates it once per statement, not once per row.
create policy user_roles_select on public.user_roles
  for select to authenticated
  using (
    (user_id = (select auth.uid()) and (select private.session_is_active()))
    or (select private.authorize('users.read'))
  );

create policy user_roles_insert on public.user_roles
  for insert to authenticated
  with check ((select private.authorize('roles.assign')));

create policy user_roles_update on public.user_roles
  for update to authenticated
  using ((select private.authorize('roles.assign')))
  with check ((select private.authorize('roles.assign')));

create policy user_roles_delete on public.user_roles
  for delete to authenticated
  using ((select private.authorize('roles.assign')));

create policy role_permissions_select on public.role_permissions
  for select to authenticated
  using ((select private.session_is_active()));
