-- The app server's guard asks this once per request, before any RLS-scoped query: the revocation rules
-- (private.session_active_for) for the session of the token the app verified, the ban on its own so the
-- app can say why, and the user's current role. PL/pgSQL so that its plan is cached per connection.
create function private.session_status(p_user_id uuid, p_session_id uuid)
returns table (active boolean, banned boolean, role public.app_role)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select
    private.session_active_for(p_user_id, p_session_id),
    coalesce((select u.banned_until > now() from auth.users u where u.id = p_user_id), false),
    (select ur.role from public.user_roles ur where ur.user_id = p_user_id);
end
$$;

-- Only the app server's own database user (the owner) calls it; no API role may probe sessions.
revoke all on function private.session_status(uuid, uuid) from public, anon, authenticated, service_role;
