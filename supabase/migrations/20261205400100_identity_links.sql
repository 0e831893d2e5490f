-- Linked identities (account settings). Linking and unlinking happen on the Auth server (manual linking:
-- GET /user/identities/authorize, DELETE /user/identities/{id}); these functions check the caller's side
-- before the call and write the app's audit row after it. They are scoped to auth.uid() and to an active
-- session; none takes a user id.

-- Records the link of the caller's identity of `p_provider` that the Auth server just made: an identity of
-- that provider created within the last 10 minutes and not already recorded. A callback that claims a link
-- which did not happen records nothing (false), so the row cannot be forged by a crafted return URL.
create function private.record_my_identity_link(
  p_provider text,
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
  linked auth.identities%rowtype;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'no active session' using errcode = '42501';
  end if;
  select i.* into linked
  from auth.identities i
  where i.user_id = caller
    and i.provider = p_provider
    and i.created_at > now() - interval '10 minutes'
    and not exists (
      select 1 from public.audit_events ev
      where ev.target_user_id = caller
        and ev.action = 'identity.link'
        and ev.after ->> 'identity_id' = i.id::text
    )
  order by i.created_at desc
  limit 1;
  if not found then
    return false;
  end if;
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
  values (caller, 'identity.link', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
          jsonb_build_object('provider', linked.provider, 'identity_id', linked.id));
  return true;
end
$$;

-- The check before an unlink: step-up (private.assert_step_up), the identity is the caller's (P0002
-- otherwise), and it is not their last one (22023 'last_identity'). Returns the identity's provider.
create function private.check_my_identity_unlink(p_identity_id uuid)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  found_provider text;
  total integer;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'no active session' using errcode = '42501';
  end if;
  perform private.assert_step_up();
  -- Two unlinks at once must not both see two identities.
  perform 1 from auth.users u where u.id = caller for update;
  select i.provider into found_provider from auth.identities i where i.id = p_identity_id and i.user_id = caller;
  if found_provider is null then
    raise exception 'identity_not_found' using errcode = 'P0002';
  end if;
  select count(*) into total from auth.identities i where i.user_id = caller;
  if total <= 1 then
    raise exception 'last_identity' using errcode = '22023';
  end if;
  return found_provider;
end
$$;

-- Records an unlink the Auth server has done: the identity must be gone (false otherwise, nothing written).
create function private.record_my_identity_unlink(
  p_identity_id uuid,
  p_provider text,
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
begin
  if caller is null or not private.session_is_active() then
    raise exception 'no active session' using errcode = '42501';
  end if;
  if exists (select 1 from auth.identities i where i.id = p_identity_id) then
    return false;
  end if;
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
  values (caller, 'identity.unlink', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
          jsonb_build_object('provider', left(p_provider, 64), 'identity_id', p_identity_id));
  return true;
end
$$;

revoke all on function private.record_my_identity_link(text, inet, text, text) from public, anon, service_role;
revoke all on function private.check_my_identity_unlink(uuid) from public, anon, service_role;
revoke all on function private.record_my_identity_unlink(uuid, text, inet, text, text) from public, anon, service_role;
grant execute on function private.record_my_identity_link(text, inet, text, text) to authenticated;
grant execute on function private.check_my_identity_unlink(uuid) to authenticated;
grant execute on function private.record_my_identity_unlink(uuid, text, inet, text, text) to authenticated;
