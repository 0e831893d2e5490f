-- Force sign-out of one user: the admin paths (revoke sessions, ban) delete the user's auth.sessions rows,
-- and their refresh tokens and MFA claims go with them (on delete cascade). The guard and every RLS policy
-- then deny the user's outstanding access tokens on their next request. Supabase Auth's admin API has no
-- endpoint for this (a ban keeps the sessions), hence SQL.
--
-- Called through the app's RLS-scoped data path, as the acting staff member, so that it shares the
-- transaction of the audit row that records it. Postgres decides: the caller's current role must hold
-- sessions.revoke or users.ban, and their own session must be active.
create function private.revoke_user_sessions(p_user_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  removed integer;
begin
  if not ((select private.authorize('sessions.revoke')) or (select private.authorize('users.ban'))) then
    raise exception 'permission denied to revoke sessions' using errcode = '42501';
  end if;
  delete from auth.sessions s where s.user_id = p_user_id;
  get diagnostics removed = row_count;
  return removed;
end
$$;

revoke all on function private.revoke_user_sessions(uuid) from public, anon, service_role;
grant execute on function private.revoke_user_sessions(uuid) to authenticated;
