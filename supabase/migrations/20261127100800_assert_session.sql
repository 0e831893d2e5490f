-- The guard's check in the form a data transaction can start with (lib/auth/guard.ts, withUser): the same
-- rules as private.session_status(), but it raises instead of answering. The app sends it as the first
-- statement of a page's transaction, before the switch to `authenticated`, with the page's queries right
-- behind it in the same round trip: if the session is revoked, the user banned, or the current role lacks
-- the page's permission, the transaction is aborted and none of those queries runs.
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
  status record;
  caller_role public.app_role;
begin
  select * into status from private.session_status(p_user_id, p_session_id);
  if status.banned then
    raise exception 'banned' using errcode = '28000';
  end if;
  if status.active is not true then
    raise exception 'session_revoked' using errcode = '28000';
  end if;
  -- No user_roles row means the `user` role (see private.handle_new_user).
  caller_role := coalesce(status.role, 'user');
  if p_permission is not null and not exists (
    select 1 from public.role_permissions rp where rp.role = caller_role and rp.permission = p_permission
  ) then
    raise exception 'forbidden' using errcode = '42501';
  end if;
  return caller_role;
end
$$;

-- Like session_status: only the app server's own database user calls it.
revoke all on function private.assert_session(uuid, uuid, public.app_permission) from public, anon, authenticated, service_role;
