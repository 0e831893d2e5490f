-- Profile (account settings): the signed-in user's linked identities as the profile shows them (provider,
-- email, picture), and the choice of avatar: the picture of one of those identities, or initials.
--
-- Security definer because `authenticated` may not read auth.identities. Each function scopes itself to
-- auth.uid() and to an active session, and takes no user id.

-- Once the user has chosen an avatar (a picture or initials), a later sign-in no longer fills avatar_url
-- from the provider's metadata: choosing initials stores null, which the metadata trigger would otherwise
-- take for "no avatar yet". Only private.set_my_avatar() sets it; it is not in the column grant.
alter table public.profiles add column avatar_chosen boolean not null default false;

create or replace function private.handle_user_metadata_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles p
  set display_name = coalesce(p.display_name, private.profile_name(coalesce(new.raw_user_meta_data, '{}'))),
      avatar_url = case when p.avatar_chosen then p.avatar_url
                        else coalesce(p.avatar_url, private.profile_avatar(coalesce(new.raw_user_meta_data, '{}'))) end
  where p.id = new.id
    and (
      (p.display_name is null and private.profile_name(coalesce(new.raw_user_meta_data, '{}')) is not null)
      or (p.avatar_url is null and not p.avatar_chosen
          and private.profile_avatar(coalesce(new.raw_user_meta_data, '{}')) is not null)
    );
  return new;
end
$$;
revoke all on function private.handle_user_metadata_update() from public;

-- The caller's identities, oldest first. `picture` is the identity's avatar_url or picture when it is an
-- http(s) URL of at most 2048 characters (private.profile_avatar), else null: Apple never sends one.
create function private.list_my_identities()
returns table (
  id uuid,
  provider text,
  email text,
  picture text,
  created_at timestamptz,
  last_sign_in_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null or not private.session_is_active() then
    return;
  end if;
  return query
  select i.id, i.provider, i.email, private.profile_avatar(i.identity_data), i.created_at, i.last_sign_in_at
  from auth.identities i
  where i.user_id = caller
  order by i.created_at nulls last, i.id;
end
$$;

-- Sets the caller's avatar to the picture of one of their identities, or to initials (null), and writes the
-- audit row in the same transaction. The row names the provider whose picture was chosen, never the URL.
-- Any other URL raises 22023 `not_an_identity_picture`, whatever it points to. Raises 42501 when the
-- caller's own session is not active. Returns false, and writes nothing, when the avatar was already that.
create function private.set_my_avatar(
  p_avatar_url text,
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  chosen_provider text;
  previous text;
  was_chosen boolean;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to change the avatar' using errcode = '42501';
  end if;
  if p_avatar_url is not null then
    select i.provider into chosen_provider
    from auth.identities i
    where i.user_id = caller and private.profile_avatar(i.identity_data) = p_avatar_url
    order by i.created_at nulls last, i.id
    limit 1;
    if chosen_provider is null then
      raise exception 'not_an_identity_picture' using errcode = '22023';
    end if;
  end if;
  select p.avatar_url, p.avatar_chosen into previous, was_chosen
  from public.profiles p where p.id = caller for update;
  if not found then
    raise exception 'no profile' using errcode = 'P0002';
  end if;
  if was_chosen and previous is not distinct from p_avatar_url then
    return false;
  end if;
  update public.profiles set avatar_url = p_avatar_url, avatar_chosen = true where id = caller;
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
  values (caller, 'profile.avatar', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
          jsonb_build_object('avatar', coalesce(chosen_provider, 'initials')));
  return true;
end
$$;

revoke all on function private.list_my_identities() from public, anon, service_role;
revoke all on function private.set_my_avatar(text, inet, text, text) from public, anon, service_role;
grant execute on function private.list_my_identities() to authenticated;
grant execute on function private.set_my_avatar(text, inet, text, text) to authenticated;
