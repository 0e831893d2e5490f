-- private.authorize() compared every user_roles row it scanned with auth.uid(), which parses the request's
-- claims JSON again for each row: on a small table, where Postgres scans rather than uses the index, that
-- was most of the cost of every policy that reaches authorize(). The caller's id is now read once, and the
-- lookup is by primary key with a plain parameter. Same rules, same grants.
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
  if caller is null or not private.session_is_active() then
    return false;
  end if;
  return exists (
    select 1
    from public.user_roles ur
    join public.role_permissions rp on rp.role = ur.role
    where ur.user_id = caller
      and rp.permission = authorize.permission
  );
end
$$;
