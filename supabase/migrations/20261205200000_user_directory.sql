-- The admin user search's own structure (issue 11): one row per user with everything the users table of the
-- admin dashboard searches, filters and sorts on, indexed for it, and kept in sync by triggers on every table
-- it is made from. A search never scans auth.users (Supabase's own admin list does, with LIKE '%…%' and
-- OFFSET, the known cause of its timeouts on large user tables).
--
-- Hosted projects: pg_trgm is one of Supabase's available extensions, created in the `extensions` schema as
-- the Supabase docs (and stack/postgres/bootstrap.sql, locally) do it. Triggers on auth.users,
-- auth.identities and auth.mfa_factors are allowed to `postgres` there (the April 2025 auth schema
-- restrictions keep triggers on auth.users and auth.identities; supabase/postgres#1712 added
-- auth.mfa_factors). No object is created in the auth schema itself.
create extension if not exists pg_trgm with schema extensions;

-- In `private`, which the Data API does not expose: staff read it through private.search_users() (next
-- migration) or the RLS-scoped data path, never with PostgREST's free-form filters.
create table private.user_directory (
  id uuid primary key references auth.users (id) on delete cascade,
  -- Lower-cased; '' when the user has none (phone users). Collation "C": byte order for the keyset sort and
  -- LIKE 'prefix%' on the btree.
  email text collate "C" not null default '',
  display_name text,
  -- Distinct providers of the user's identities, sorted.
  providers text[] not null default '{}',
  role public.app_role not null default 'user',
  banned_until timestamptz,
  -- A verified factor of any type.
  has_mfa boolean not null default false,
  created_at timestamptz not null,
  last_sign_in_at timestamptz,
  synced_at timestamptz not null default now()
);

-- Substring search (ILIKE '%q%'), and prefix search for queries too short for trigrams.
create index user_directory_email_trgm_idx on private.user_directory using gin (email extensions.gin_trgm_ops);
create index user_directory_name_trgm_idx on private.user_directory using gin (display_name extensions.gin_trgm_ops);
create index user_directory_name_prefix_idx on private.user_directory ((lower(display_name)) collate "C");
-- Keyset sorts, id as the tiebreaker; each serves both directions. A user who never signed in sorts as
-- -infinity: the expression is the one private.search_users() orders by.
create index user_directory_created_idx on private.user_directory (created_at, id);
create index user_directory_last_sign_in_idx on private.user_directory
  ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id);
create index user_directory_email_idx on private.user_directory (email, id);
-- Filters.
create index user_directory_role_idx on private.user_directory (role);
create index user_directory_banned_idx on private.user_directory (banned_until) where banned_until is not null;
create index user_directory_mfa_idx on private.user_directory (id) where has_mfa;
create index user_directory_providers_idx on private.user_directory using gin (providers);

-- Readable with users.read (current role, live session: private.authorize), writable by nobody through the
-- data path: no write privilege exists for any API role, and there is no write policy. The triggers below
-- write as the function owner.
alter table private.user_directory enable row level security;
alter table private.user_directory force row level security;
revoke all on table private.user_directory from public, anon, authenticated, service_role;
grant select on table private.user_directory to authenticated;

create policy user_directory_select on private.user_directory
  for select to authenticated
  using ((select private.authorize('users.read')));

-- Recomputes the directory rows of these users from their sources; removes the row of a user who no longer
-- exists. Rows already equal are not rewritten. Set-based: a statement that touches 100,000 users costs one
-- call.
create function private.sync_user_directory(p_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_ids is null or cardinality(p_ids) = 0 then
    return;
  end if;
  insert into private.user_directory as d
    (id, email, display_name, providers, role, banned_until, has_mfa, created_at, last_sign_in_at)
  select
    u.id,
    lower(coalesce(u.email, '')),
    p.display_name,
    coalesce((select array_agg(distinct i.provider order by i.provider) from auth.identities i where i.user_id = u.id), '{}'),
    coalesce(r.role, 'user'),
    u.banned_until,
    exists (select 1 from auth.mfa_factors f where f.user_id = u.id and f.status = 'verified'),
    coalesce(u.created_at, '-infinity'),
    u.last_sign_in_at
  from auth.users u
  left join public.profiles p on p.id = u.id
  left join public.user_roles r on r.user_id = u.id
  where u.id = any (p_ids)
  on conflict (id) do update
  set email = excluded.email,
      display_name = excluded.display_name,
      providers = excluded.providers,
      role = excluded.role,
      banned_until = excluded.banned_until,
      has_mfa = excluded.has_mfa,
      created_at = excluded.created_at,
      last_sign_in_at = excluded.last_sign_in_at,
      synced_at = now()
  where (d.email, d.display_name, d.providers, d.role, d.banned_until, d.has_mfa, d.created_at, d.last_sign_in_at)
    is distinct from
        (excluded.email, excluded.display_name, excluded.providers, excluded.role, excluded.banned_until,
         excluded.has_mfa, excluded.created_at, excluded.last_sign_in_at);

  delete from private.user_directory d
  where d.id = any (p_ids)
    and not exists (select 1 from auth.users u where u.id = d.id);
end
$$;

-- The triggers run inside the Auth server's transactions (sign-up, sign-in, identity linking, MFA enrolment)
-- and the app's: an error here fails that operation, so they do nothing but the sync.
--
-- auth.users, auth.identities, auth.mfa_factors: statement-level triggers with transition tables, one sync
-- per statement whatever its number of rows (the Auth server writes one row at a time; a seed or a backfill
-- writes thousands). Postgres allows transition tables on single-event triggers only, hence one function
-- per event. A deleted user's row goes with the user (the foreign key's on delete cascade, itself a trigger
-- of auth.users).
create function private.user_directory_users_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_user_directory(array(select n.id from new_rows n));
  return null;
end
$$;

-- Only users whose indexed columns changed: the Auth server also updates auth.users for what the directory
-- does not hold (updated_at, tokens, metadata).
create function private.user_directory_users_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_user_directory(array(
    select n.id
    from new_rows n
    left join old_rows o on o.id = n.id
    where o.id is null
       or (n.email, n.banned_until, n.last_sign_in_at, n.created_at)
          is distinct from (o.email, o.banned_until, o.last_sign_in_at, o.created_at)
  ));
  return null;
end
$$;

-- Shared by auth.identities and auth.mfa_factors (both name the user in user_id).
create function private.user_directory_owners_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_user_directory(array(select distinct n.user_id from new_rows n));
  return null;
end
$$;

-- Both the old and the new owner: a row may move to another user (an identity relinked).
create function private.user_directory_owners_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_user_directory(array(
    select n.user_id from new_rows n union select o.user_id from old_rows o
  ));
  return null;
end
$$;

create function private.user_directory_owners_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_user_directory(array(select distinct o.user_id from old_rows o));
  return null;
end
$$;

-- public.profiles and public.user_roles: row-level, each a one-column update of a row that exists. They are
-- written one row at a time (the sign-up trigger private.handle_new_user, a profile edit, a role change), and
-- at sign-up the directory row does not exist yet: the update finds nothing, and the auth.users statement
-- trigger, which runs after the row triggers, writes the whole row.
create function private.user_directory_profile_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and (tg_op = 'DELETE' or old.id <> new.id) then
    update private.user_directory d set display_name = null, synced_at = now()
    where d.id = old.id and d.display_name is not null;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    update private.user_directory d set display_name = new.display_name, synced_at = now()
    where d.id = new.id and d.display_name is distinct from new.display_name;
  end if;
  return null;
end
$$;

-- A user without a role row has the role `user` (private.handle_new_user, private.assert_session).
create function private.user_directory_role_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and (tg_op = 'DELETE' or old.user_id <> new.user_id) then
    update private.user_directory d set role = 'user', synced_at = now()
    where d.id = old.user_id and d.role <> 'user';
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    update private.user_directory d set role = new.role, synced_at = now()
    where d.id = new.user_id and d.role <> new.role;
  end if;
  return null;
end
$$;

revoke all on function private.sync_user_directory(uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.user_directory_users_inserted() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_users_updated() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_owners_inserted() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_owners_updated() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_owners_deleted() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_profile_changed() from public, anon, authenticated, service_role;
revoke all on function private.user_directory_role_changed() from public, anon, authenticated, service_role;

create trigger user_directory_users_insert after insert on auth.users
  referencing new table as new_rows for each statement execute function private.user_directory_users_inserted();
create trigger user_directory_users_update after update on auth.users
  referencing old table as old_rows new table as new_rows for each statement execute function private.user_directory_users_updated();

create trigger user_directory_identities_insert after insert on auth.identities
  referencing new table as new_rows for each statement execute function private.user_directory_owners_inserted();
create trigger user_directory_identities_update after update on auth.identities
  referencing old table as old_rows new table as new_rows for each statement execute function private.user_directory_owners_updated();
create trigger user_directory_identities_delete after delete on auth.identities
  referencing old table as old_rows for each statement execute function private.user_directory_owners_deleted();

create trigger user_directory_mfa_factors_insert after insert on auth.mfa_factors
  referencing new table as new_rows for each statement execute function private.user_directory_owners_inserted();
create trigger user_directory_mfa_factors_update after update on auth.mfa_factors
  referencing old table as old_rows new table as new_rows for each statement execute function private.user_directory_owners_updated();
create trigger user_directory_mfa_factors_delete after delete on auth.mfa_factors
  referencing old table as old_rows for each statement execute function private.user_directory_owners_deleted();

create trigger user_directory_profiles_change after insert or update of id, display_name or delete on public.profiles
  for each row execute function private.user_directory_profile_changed();
create trigger user_directory_user_roles_change after insert or update of user_id, role or delete on public.user_roles
  for each row execute function private.user_directory_role_changed();

-- Users that exist before this migration.
select private.sync_user_directory(array(select u.id from auth.users u));
analyze private.user_directory;
