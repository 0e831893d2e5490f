-- What happens in public when the Auth server creates a user or rewrites their metadata.

-- Google sends full_name/name and avatar_url/picture; Apple sends the name on the first sign-in only and
-- never a picture.
create function private.profile_name(meta jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select left(nullif(btrim(coalesce(meta ->> 'full_name', meta ->> 'name')), ''), 100)
$$;

create function private.profile_avatar(meta jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when char_length(u) <= 2048 and u ~* '^https?://' then u end
  from (select nullif(btrim(coalesce(meta ->> 'avatar_url', meta ->> 'picture')), '') as u) m
$$;

revoke all on function private.profile_name(jsonb) from public;
revoke all on function private.profile_avatar(jsonb) from public;

-- Runs as the Auth server's role (supabase_auth_admin) inside its sign-up transaction: security definer
-- so that it can write public tables, and any error here fails the sign-up.
create function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  initial_role public.app_role := 'user';
begin
  insert into public.profiles (id, display_name, avatar_url)
  values (
    new.id,
    private.profile_name(coalesce(new.raw_user_meta_data, '{}')),
    private.profile_avatar(coalesce(new.raw_user_meta_data, '{}'))
  )
  on conflict (id) do nothing;

  if new.email is not null
    and exists (select 1 from private.bootstrap_admins b where b.email = lower(new.email)) then
    initial_role := 'admin';
  end if;

  insert into public.user_roles (user_id, role)
  values (new.id, initial_role)
  on conflict (user_id) do nothing;

  if initial_role <> 'user' then
    insert into public.audit_events (actor_id, action, target_user_id, after)
    values (null, 'role.bootstrap', new.id, jsonb_build_object('role', initial_role, 'email', new.email));
  end if;

  return new;
end
$$;

-- Every sign-in rewrites raw_user_meta_data from the provider, and Apple sends the name only once: profile
-- fields are filled from the provider only while they are empty, never overwritten.
create function private.handle_user_metadata_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles p
  set display_name = coalesce(p.display_name, private.profile_name(coalesce(new.raw_user_meta_data, '{}'))),
      avatar_url = coalesce(p.avatar_url, private.profile_avatar(coalesce(new.raw_user_meta_data, '{}')))
  where p.id = new.id
    and (
      (p.display_name is null and private.profile_name(coalesce(new.raw_user_meta_data, '{}')) is not null)
      or (p.avatar_url is null and private.profile_avatar(coalesce(new.raw_user_meta_data, '{}')) is not null)
    );
  return new;
end
$$;

revoke all on function private.handle_new_user() from public;
revoke all on function private.handle_user_metadata_update() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

create trigger on_auth_user_metadata_updated
  after update of raw_user_meta_data on auth.users
  for each row
  when (new.raw_user_meta_data is distinct from old.raw_user_meta_data)
  execute function private.handle_user_metadata_update();

-- Users created before this migration (a project that already has users).
insert into public.profiles (id, display_name, avatar_url)
select u.id,
       private.profile_name(coalesce(u.raw_user_meta_data, '{}')),
       private.profile_avatar(coalesce(u.raw_user_meta_data, '{}'))
from auth.users u
on conflict (id) do nothing;

insert into public.user_roles (user_id, role)
select u.id, 'user'
from auth.users u
on conflict (user_id) do nothing;
