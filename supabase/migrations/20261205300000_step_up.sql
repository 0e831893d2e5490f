-- Step-up for sensitive actions (remove a factor, unlink an identity, end all other sessions, export the
-- account's data, delete the account). Being signed in is not enough for these: the session must also
-- prove that the person at the keyboard is the account holder now.
--
-- The rule, decided from what Postgres knows about the token's session:
--   * The user has a verified MFA factor (auth.mfa_factors, status verified, any type): the session must be
--     AAL2 (auth.sessions.aal is aal2 or aal3), i.e. a code was given on this session.
--   * Otherwise: the session must carry a first-factor sign-in at most 10 minutes old. Each sign-in method
--     of a session is one auth.mfa_amr_claims row, whose updated_at is the time of that sign-in (the `amr`
--     timestamp of the access token). Sign-in methods that count: oauth (Google, Apple), password, otp,
--     magiclink, sso/saml. A token refresh is no sign-in and writes no such row, so a session started an
--     hour ago stays stale however recently it was refreshed; a fresh provider sign-in starts a new session
--     whose oauth entry is new.
--
-- private.assert_step_up() raises SQLSTATE SU001 with the message `step_up_required` and, as its DETAIL,
-- what the person must do: `aal2` (enter a code from the authenticator app) or `recent_sign_in` (sign in
-- with the provider again). The app maps it to the `step_up_required` error. Each sensitive action calls it
-- in the transaction of its change, so no path around the app's server check gets past Postgres.
--
-- A session that is no longer active (ended, refresh tokens revoked, user banned or deleted) or that is
-- another user's is refused first, with 42501, as every account function refuses it.

-- The state for an explicit user and session. Not granted to any API role: it would let a user probe other
-- people's sessions. my_step_up() and assert_step_up() apply it to the request's token.
create function private.step_up_state(p_user_id uuid, p_session_id uuid)
returns table (required text, satisfied boolean, valid_until timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  has_factor boolean;
  session_aal text;
  signed_in_at timestamptz;
begin
  select exists (
    select 1 from auth.mfa_factors f where f.user_id = p_user_id and f.status = 'verified'
  ) into has_factor;
  select s.aal::text into session_aal
  from auth.sessions s
  where s.id = p_session_id and s.user_id = p_user_id;
  if has_factor then
    return query select 'aal2'::text, coalesce(session_aal in ('aal2', 'aal3'), false), null::timestamptz;
    return;
  end if;
  select max(c.updated_at) into signed_in_at
  from auth.mfa_amr_claims c
  join auth.sessions s on s.id = c.session_id
  where c.session_id = p_session_id
    and s.user_id = p_user_id
    and c.authentication_method in ('oauth', 'password', 'otp', 'magiclink', 'sso/saml');
  return query
  select 'recent_sign_in'::text,
         coalesce(signed_in_at > now() - interval '10 minutes' and signed_in_at <= now() + interval '1 minute', false),
         signed_in_at + interval '10 minutes';
end
$$;

-- The caller's step-up state, for pages that show whether a sensitive action will be allowed: what is
-- required, whether this session has it, and until when (a recent sign-in; null for aal2). No row when the
-- caller's session is not active.
create function private.my_step_up()
returns table (required text, satisfied boolean, valid_until timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null or not private.session_is_active() then
    return;
  end if;
  -- session_is_active() has checked that the claim is a uuid, this user's session.
  return query select * from private.step_up_state(auth.uid(), (auth.jwt() ->> 'session_id')::uuid);
end
$$;

-- Raises unless the caller's session satisfies the step-up rule; see the top of this file.
create function private.assert_step_up()
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  state record;
begin
  if auth.uid() is null or not private.session_is_active() then
    raise exception 'permission denied: the session is not active' using errcode = '42501';
  end if;
  select * into state from private.step_up_state(auth.uid(), (auth.jwt() ->> 'session_id')::uuid);
  if not coalesce(state.satisfied, false) then
    raise exception 'step_up_required' using errcode = 'SU001', detail = coalesce(state.required, 'recent_sign_in');
  end if;
end
$$;

revoke all on function private.step_up_state(uuid, uuid) from public, anon, authenticated, service_role;
revoke all on function private.my_step_up() from public, anon, service_role;
revoke all on function private.assert_step_up() from public, anon, service_role;
grant execute on function private.my_step_up() to authenticated;
grant execute on function private.assert_step_up() to authenticated;

-- Ending every other session is a sensitive action: the same function as before (same rules, same audit
-- row), with the step-up check after the session check.
create or replace function private.end_my_other_sessions(
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
  perform private.assert_step_up();
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
