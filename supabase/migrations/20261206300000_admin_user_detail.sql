-- The admin dashboard's user page (issue 11): one user's details for staff, and that user's audit trail.
--
-- Both functions are security definer because `authenticated` may not read auth.users, auth.identities,
-- auth.sessions or auth.mfa_factors; each checks the caller's permission first (private.authorize: the
-- current role from the table and a live session, else 42501 and nothing is read) and then reads only rows of
-- the one user asked for. Nothing secret is returned: no factor secret, phone or WebAuthn credential, no
-- refresh token, no password hash, no OAuth provider token; a session is its id, times, user agent, IP and
-- assurance level.

-- One user as the staff user page shows it, as a jsonb object, or null when there is no such user (or the
-- Auth server has soft-deleted it). Requires users.read.
-- - profile: email, display name, avatar, created, last sign-in, banned until; role (null: no role row,
--   which means no permissions, like `user`);
-- - identities: provider, email, linked at, last sign-in, oldest first;
-- - sessions: those still usable (not past not_after, with a refresh token that was not revoked), most
--   recently active first; a ban does not hide them (the Auth server keeps a banned user's sessions, and an
--   unban would make them usable again), so staff can still end them;
-- - factors: id, friendly name, type, status, created, oldest first.
-- Times are ISO 8601 strings (jsonb's rendering of timestamptz, with an offset).
create function private.get_user_detail(p_user_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  result jsonb;
begin
  if not private.authorize('users.read') then
    raise exception 'permission denied to read users' using errcode = '42501';
  end if;
  select jsonb_build_object(
    'id', u.id,
    'email', u.email,
    'display_name', p.display_name,
    'avatar_url', p.avatar_url,
    'created_at', u.created_at,
    'last_sign_in_at', u.last_sign_in_at,
    'banned_until', u.banned_until,
    'role', r.role,
    'identities', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', i.id,
               'provider', i.provider,
               'email', i.email,
               'linked_at', i.created_at,
               'last_sign_in_at', i.last_sign_in_at)
             order by i.created_at, i.id)
      from auth.identities i
      where i.user_id = u.id
    ), '[]'::jsonb),
    'sessions', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', s.id,
               'created_at', s.created_at,
               'last_active_at', s.last_active_at,
               'user_agent', left(s.user_agent, 1024),
               'ip', host(s.ip),
               'aal', s.aal::text)
             order by s.last_active_at desc nulls last, s.id)
      from (
        select s.*, greatest(s.refreshed_at at time zone 'UTC', s.updated_at, s.created_at) as last_active_at
        from auth.sessions s
        where s.user_id = u.id
          and (s.not_after is null or s.not_after > now())
          and exists (select 1 from auth.refresh_tokens t where t.session_id = s.id and t.revoked = false)
      ) s
    ), '[]'::jsonb),
    'factors', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', f.id,
               'friendly_name', f.friendly_name,
               'factor_type', f.factor_type::text,
               'status', f.status::text,
               'created_at', f.created_at)
             order by f.created_at, f.id)
      from auth.mfa_factors f
      where f.user_id = u.id
    ), '[]'::jsonb)
  )
  into result
  from auth.users u
  left join public.profiles p on p.id = u.id
  left join public.user_roles r on r.user_id = u.id
  where u.id = p_user_id
    and u.deleted_at is null;
  return result;
end
$$;

-- One page of a user's audit trail: the app's audit events (public.audit_events) in which the user is the
-- target or the actor, newest first, with the actor's and the target's email and name while they exist
-- (private.user_directory; audit rows outlive the users they name). Requires users.read and audit.read.
--
-- Keyset pagination on (created_at, id), both descending: pass the last row's created_at and id to get the
-- next page. cursor_at is created_at as text, UTC to the microsecond (2026-12-06T10:00:00.123456Z), whatever
-- the session's TimeZone and DateStyle: a JavaScript Date keeps milliseconds only. p_limit: 1 to 50.
-- Each branch walks its own index (audit_events_target_user_id_idx, audit_events_actor_id_idx); an event the
-- user did to themselves comes from the target branch only.
create function private.list_user_audit(
  p_user_id uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  created_at timestamptz,
  cursor_at text,
  action text,
  actor_id uuid,
  actor_email text,
  actor_name text,
  target_user_id uuid,
  target_email text,
  target_name text,
  ip text,
  user_agent text,
  before jsonb,
  after jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  page_size integer;
begin
  if not (private.authorize('users.read') and private.authorize('audit.read')) then
    raise exception 'permission denied to read the audit trail' using errcode = '42501';
  end if;
  if p_user_id is null then
    raise exception 'a user id is required' using errcode = '22023';
  end if;
  if (p_before_at is null) <> (p_before_id is null) then
    raise exception 'a cursor needs both created_at and id' using errcode = '22023';
  end if;
  if p_limit is not null and (p_limit < 1 or p_limit > 50) then
    raise exception 'limit must be between 1 and 50' using errcode = '22023';
  end if;
  page_size := coalesce(p_limit, 20);
  return query
  select
    ev.id,
    ev.created_at,
    to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ev.action,
    ev.actor_id,
    actor.email,
    actor.display_name,
    ev.target_user_id,
    target.email,
    target.display_name,
    host(ev.ip),
    ev.user_agent,
    ev.before,
    ev.after
  from (
    (select e.*
     from public.audit_events e
     where e.target_user_id = p_user_id
       and (p_before_at is null or (e.created_at, e.id) < (p_before_at, p_before_id))
     order by e.created_at desc, e.id desc
     limit page_size)
    union all
    (select e.*
     from public.audit_events e
     where e.actor_id = p_user_id
       and e.target_user_id is distinct from p_user_id
       and (p_before_at is null or (e.created_at, e.id) < (p_before_at, p_before_id))
     order by e.created_at desc, e.id desc
     limit page_size)
  ) ev
  left join private.user_directory actor on actor.id = ev.actor_id
  left join private.user_directory target on target.id = ev.target_user_id
  order by ev.created_at desc, ev.id desc
  limit page_size;
end
$$;

revoke all on function private.get_user_detail(uuid) from public, anon, service_role;
revoke all on function private.list_user_audit(uuid, timestamptz, uuid, integer) from public, anon, service_role;
grant execute on function private.get_user_detail(uuid) to authenticated;
grant execute on function private.list_user_audit(uuid, timestamptz, uuid, integer) to authenticated;
