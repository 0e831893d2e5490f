-- Devices and sessions (account settings): the signed-in user lists their own active sessions, ends one of
-- them, or ends every session but the one they are using. Ending a session deletes its auth.sessions row
-- (refresh tokens and MFA claims go with it, on delete cascade); the revocation rules then refuse that
-- session's access tokens on their next request (private.session_active_for), although they have not expired.
--
-- Each function is security definer because `authenticated` may not read or delete auth.sessions, and each
-- scopes itself to auth.uid(): a session id is looked up only among the caller's own sessions, so another
-- user's id behaves exactly like an id that does not exist. All of them require the caller's own session to
-- be active (a revoked token cannot list or end anything). Each end writes its audit row itself, in the
-- transaction of the deletion, naming only the session id; the request's ip, user agent and request id are
-- those the app read from the request (lib/audit/meta.ts), as for every other audit row.

-- The caller's sessions that are still active under the revocation rules, most recently active first.
-- last_active_at: refreshed_at (written by each token refresh, timestamp without time zone in UTC, as
-- Supabase Auth stores it) or updated_at, whichever is later.
create function private.list_my_sessions()
returns table (
  id uuid,
  created_at timestamptz,
  last_active_at timestamptz,
  user_agent text,
  ip text,
  aal text,
  is_current boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  current_sid uuid;
begin
  if caller is null or not private.session_is_active() then
    return;
  end if;
  -- session_is_active() has checked that the claim is a uuid, this user's session.
  current_sid := (auth.jwt() ->> 'session_id')::uuid;
  return query
  select
    s.id,
    s.created_at,
    greatest(s.refreshed_at at time zone 'UTC', s.updated_at, s.created_at) as last_active_at,
    s.user_agent,
    host(s.ip),
    s.aal::text,
    s.id = current_sid
  from auth.sessions s
  where s.user_id = caller
    and private.session_active_for(caller, s.id)
  order by 3 desc nulls last, s.id;
end
$$;

-- Ends one of the caller's sessions other than the current one (signing out of this device is the Auth
-- server's logout, which also clears the cookies). Returns false, and writes nothing, when the caller has no
-- such session: an unknown id, a session already ended, another user's session. Raises 42501 when the
-- caller's own session is not active, 22023 `current_session` for the current session.
create function private.end_my_session(
  p_session_id uuid,
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
  ended uuid;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to end sessions' using errcode = '42501';
  end if;
  if p_session_id = (auth.jwt() ->> 'session_id')::uuid then
    raise exception 'current_session' using errcode = '22023';
  end if;
  delete from auth.sessions s
  where s.id = p_session_id and s.user_id = caller
  returning s.id into ended;
  if ended is null then
    return false;
  end if;
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
  values (caller, 'session.end', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
          jsonb_build_object('session_id', ended));
  return true;
end
$$;

-- Ends every session of the caller but the current one, active or already dead (refresh tokens revoked,
-- past not_after). Returns how many rows it deleted; writes its audit row only when that is more than zero. Raises 42501 when the caller's own session is not active.
create function private.end_my_other_sessions(
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
  caller uuid := auth.uid();
  current_sid uuid;
  removed integer;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to end sessions' using errcode = '42501';
  end if;
  -- session_is_active() has checked that the claim is a uuid, this user's session.
  current_sid := (auth.jwt() ->> 'session_id')::uuid;
  delete from auth.sessions s where s.user_id = caller and s.id <> current_sid;
  get diagnostics removed = row_count;
  if removed > 0 then
    insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
    values (caller, 'sessions.end_others', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
            jsonb_build_object('sessions_ended', removed, 'kept_session_id', current_sid));
  end if;
  return removed;
end
$$;

revoke all on function private.list_my_sessions() from public, anon, service_role;
revoke all on function private.end_my_session(uuid, inet, text, text) from public, anon, service_role;
revoke all on function private.end_my_other_sessions(inet, text, text) from public, anon, service_role;
grant execute on function private.list_my_sessions() to authenticated;
grant execute on function private.end_my_session(uuid, inet, text, text) to authenticated;
grant execute on function private.end_my_other_sessions(inet, text, text) to authenticated;
