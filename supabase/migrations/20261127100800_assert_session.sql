-- The guard's one database check (lib/auth/guard.ts), replacing private.session_status(): the revocation
-- rules of private.session_active_for() for the session of the token the app verified, the ban on its
-- own so the app can say why, the user's current role, and optionally a permission that role must hold.
-- It raises instead of answering, so that it can start a page's data transaction (withUser): the app sends
-- it as the first statement, before the switch to `authenticated`, with the page's queries right behind
-- it in the same round trip. If the session is revoked, the user banned, or the role lacks the
-- permission, the transaction is aborted and none of those queries runs.
--
-- Errors: SQLSTATE 28000 with the message `banned` or `session_revoked`, SQLSTATE 42501 with `forbidden`.
-- Returns the user's current role.
create function private.assert_session(
  p_user_id uuid,
  p_session_id uuid,
  p_permission public.app_permission default null
)
returns public.app_role
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  active boolean;
  banned boolean;
  caller_role public.app_role;
begin
  select
    private.session_active_for(p_user_id, p_session_id),
    coalesce((select u.banned_until > now() from auth.users u where u.id = p_user_id), false),
    -- No user_roles row means the `user` role (see private.handle_new_user).
    coalesce((select ur.role from public.user_roles ur where ur.user_id = p_user_id), 'user')
  into active, banned, caller_role;
  if banned then
    raise exception 'banned' using errcode = '28000';
  end if;
  if not active then
    raise exception 'session_revoked' using errcode = '28000';
  end if;
  if p_permission is not null and not exists (
    select 1 from public.role_permissions rp where rp.role = caller_role and rp.permission = p_permission
  ) then
    raise exception 'forbidden' using errcode = '42501';
  end if;
  return caller_role;
end
$$;

-- Only the app server's own database user (the owner) calls it; no API role may probe sessions.
revoke all on function private.assert_session(uuid, uuid, public.app_permission) from public, anon, authenticated, service_role;

drop function private.session_status(uuid, uuid);
