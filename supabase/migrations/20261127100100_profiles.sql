-- Public profile of each user. Rows are created by the auth.users trigger (…_new_user.sql) and deleted
-- with the user; nobody inserts or deletes them directly.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text check (char_length(display_name) <= 100),
  avatar_url text check (char_length(avatar_url) <= 2048),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index profiles_created_at_idx on public.profiles (created_at desc);

create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.set_updated_at() from public;

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;
alter table public.profiles force row level security;
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to authenticated;
-- Column privileges: id and the timestamps cannot be changed through the data path whatever the policy says.
grant update (display_name, avatar_url) on table public.profiles to authenticated;

create policy profiles_select on public.profiles
  for select to authenticated
  using (
    (id = (select auth.uid()) and (select private.session_is_active()))
    or (select private.authorize('users.read'))
  );

create policy profiles_update on public.profiles
  for update to authenticated
  using (
    (id = (select auth.uid()) and (select private.session_is_active()))
    or (select private.authorize('users.write'))
  )
  with check (
    (id = (select auth.uid()) and (select private.session_is_active()))
    or (select private.authorize('users.write'))
  );
