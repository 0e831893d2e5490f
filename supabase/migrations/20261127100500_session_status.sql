-- The app server's guard asks this once per request, before any RLS-scoped query: the rules of
-- private.session_is_active() for an explicit user and session (the token was verified by the app), the
-- ban on its own so the app can say why, and the user's current role. One indexed lookup per table;
-- PL/pgSQL so that its plan is cached per connection.
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
    u.id is not null
      and u.deleted_at is null
      and (u.banned_until is null or u.banned_until <= now())
      and exists (
        select 1
        from auth.sessions s
        where s.id = p_session_id
          and s.user_id = p_user_id
          and (s.not_after is null or s.not_after > now())
          and exists (select 1 from auth.refresh_tokens r where r.session_id = s.id and r.revoked = false)
      ),
    coalesce(u.banned_until > now(), false),
    (select ur.role from public.user_roles ur where ur.user_id = p_user_id)
  from (select 1) as one
  left join auth.users u on u.id = p_user_id;
end
$$;

-- Only the app server's own database user (the owner) calls it; no API role may probe sessions.
revoke all on function private.session_status(uuid, uuid) from public, anon, authenticated, service_role;
