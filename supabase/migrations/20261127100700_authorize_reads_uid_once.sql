-- private.authorize(), same rules and grants, cheaper on every policy that reaches it:
-- - It compared every user_roles row it scanned with auth.uid(), which parses the request's claims JSON
--   again for each row; on a small table, where Postgres scans rather than uses the index, that was most of
--   its cost. The caller's id is now read once and the lookup is by primary key.
-- - It asks the role first and the session second: most callers are plain users whose role holds none of
--   the permissions policies ask about, and for them the answer is `false` without the session check.
create or replace function private.authorize(permission public.app_permission)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null or not exists (
    select 1
    from public.user_roles ur
    join public.role_permissions rp on rp.role = ur.role
    where ur.user_id = caller
      and rp.permission = authorize.permission
  ) then
    return false;
  end if;
  return private.session_is_active();
end
$$;
