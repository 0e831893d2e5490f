-- Security activity (account settings): the signed-in user's own security events, newest first, from both
-- audit sources: the Auth server's auth.audit_log_entries (sign-ins, sign-outs, identities unlinked, factors
-- enrolled and removed) and the app's public.audit_events (sessions ended by the user or by staff,
-- identities linked). public.audit_log shows both sources to staff (audit.read); this function shows a
-- user the part of both that is about them, whatever their role.
--
-- Security definer because `authenticated` may not read auth.audit_log_entries, and plain users may not
-- read public.audit_events. It is scoped to auth.uid() and to an active session; it takes no user id.
-- It returns no actor id: an event done to the user by staff says so (by_self = false), not who.
--
-- Keyset pagination on (occurred_at, id), both descending: pass the last row's occurred_at and id to get
-- the next page. occurred_at has microseconds; a cursor must keep them (a JavaScript Date does not).
create function private.list_my_security_events(
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  occurred_at timestamptz,
  kind text,
  source text,
  provider text,
  ip text,
  user_agent text,
  session_id uuid,
  session_count integer,
  by_self boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  page_size integer := least(greatest(coalesce(p_limit, 20), 1), 100);
  uuid_re constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
begin
  if (p_before_at is null) <> (p_before_id is null) then
    raise exception 'a cursor needs both occurred_at and id' using errcode = '22023';
  end if;
  if caller is null or not private.session_is_active() then
    return;
  end if;
  return query
  with app_events as (
    select
      ev.id,
      ev.created_at,
      case ev.action
        when 'session.end' then 'session_ended'
        when 'sessions.end_others' then 'other_sessions_ended'
        when 'sessions.revoke' then 'sessions_revoked'
        when 'identity.link' then 'identity_linked'
      end as kind,
      ev.after ->> 'provider' as provider,
      host(ev.ip) as ip,
      ev.user_agent,
      case when ev.after ->> 'session_id' ~* uuid_re then (ev.after ->> 'session_id')::uuid end as session_id,
      case ev.action
        when 'session.end' then 1
        when 'sessions.end_others' then
          case when jsonb_typeof(ev.after -> 'sessions_ended') = 'number' then (ev.after ->> 'sessions_ended')::numeric::integer end
        when 'sessions.revoke' then
          case when jsonb_typeof(ev.after -> 'sessions_revoked') = 'number' then (ev.after ->> 'sessions_revoked')::numeric::integer end
      end as session_count,
      ev.actor_id is not distinct from caller as by_self
    from public.audit_events ev
    where ev.target_user_id = caller
      and ev.action in ('session.end', 'sessions.end_others', 'sessions.revoke', 'identity.link')
      and (p_before_at is null or (ev.created_at, ev.id) < (p_before_at, p_before_id))
    order by ev.created_at desc, ev.id desc
    limit page_size
  ),
  auth_entries as (
    select
      e.id,
      e.created_at,
      e.payload ->> 'action' as action,
      coalesce(e.payload -> 'traits' ->> 'provider_type', e.payload -> 'traits' ->> 'provider') as provider,
      nullif(e.ip_address, '') as ip
    from auth.audit_log_entries e
    where e.payload ->> 'actor_id' = caller::text
      and e.created_at is not null
      and e.payload ->> 'action' in ('login', 'logout', 'identity_unlinked', 'factor_in_progress', 'factor_unenrolled', 'factor_deleted')
      -- An OAuth sign-in writes `login` twice: at the provider's callback (traits.provider), then when its
      -- session starts (traits.provider_type: the code exchange, or the implicit flow's callback). The
      -- session start is the sign-in; the callback entry is left out. Password and OTP sign-ins write one
      -- entry (provider email or phone).
      and not (e.payload ->> 'action' = 'login'
               and e.payload -> 'traits' ->> 'provider_type' is null
               and coalesce(e.payload -> 'traits' ->> 'provider', '') not in ('', 'email', 'phone'))
      and (p_before_at is null or (e.created_at, e.id) < (p_before_at, p_before_id))
    order by e.created_at desc, e.id desc
    limit page_size
  ),
  auth_events as (
    select
      a.id,
      a.created_at,
      case a.action
        when 'login' then 'signed_in'
        when 'logout' then 'signed_out'
        when 'identity_unlinked' then 'identity_unlinked'
        when 'factor_in_progress' then 'factor_added'
        else 'factor_removed'
      end as kind,
      a.provider,
      coalesce(a.ip, started.ip) as ip,
      started.user_agent,
      started.id as session_id,
      null::integer as session_count,
      -- factor_deleted is written by the Auth admin API only; the user's own removal is factor_unenrolled.
      a.action <> 'factor_deleted' as by_self
    from auth_entries a
    -- A sign-in entry holds neither the session nor the device. The session it started was created in the
    -- same transaction, milliseconds apart, so its row (while it exists) gives the device, when nothing
    -- else could have: exactly one session of the user created within a second of the entry, and no other
    -- sign-in of the user within two seconds (whose session may be that one, or may be gone). Two sign-ins
    -- close together get no device rather than each other's.
    left join lateral (
      select (array_agg(s.id))[1] as id, (array_agg(host(s.ip)))[1] as ip, (array_agg(s.user_agent))[1] as user_agent
      from auth.sessions s
      where a.action = 'login'
        and s.user_id = caller
        and s.created_at between a.created_at - interval '1 second' and a.created_at + interval '1 second'
        and not exists (
          select 1
          from auth.audit_log_entries o
          where o.created_at between a.created_at - interval '2 seconds' and a.created_at + interval '2 seconds'
            and o.id <> a.id
            and o.payload ->> 'actor_id' = caller::text
            and o.payload ->> 'action' = 'login'
            and not (o.payload -> 'traits' ->> 'provider_type' is null
                     and coalesce(o.payload -> 'traits' ->> 'provider', '') not in ('', 'email', 'phone'))
        )
      having count(*) = 1
    ) started on true
  )
  select x.id, x.created_at, x.kind, x.source, x.provider, x.ip, x.user_agent, x.session_id, x.session_count, x.by_self
  from (
    select ae.id, ae.created_at, ae.kind, 'app'::text as source, ae.provider, ae.ip, ae.user_agent, ae.session_id,
           ae.session_count, ae.by_self
    from app_events ae
    union all
    select au.id, au.created_at, au.kind, 'auth'::text, au.provider, au.ip, au.user_agent, au.session_id,
           au.session_count, au.by_self
    from auth_events au
  ) x
  order by x.created_at desc, x.id desc
  limit page_size;
end
$$;

revoke all on function private.list_my_security_events(timestamptz, uuid, integer) from public, anon, service_role;
grant execute on function private.list_my_security_events(timestamptz, uuid, integer) to authenticated;
