-- Deleting one's own account when it is the last admin: refused up front, in step 1, with ADM02, as an admin's
-- deletion of the last admin is. The trigger in the Auth server's delete (private.record_admin_user_deletion)
-- refuses it too, but there the refusal reaches the app only as the Auth server's failure; here it is a clear
-- answer before the Auth server is asked.
create or replace function private.request_account_deletion(p_request_id text default null)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to delete the account' using errcode = '42501';
  end if;
  perform private.assert_step_up();
  if exists (select 1 from public.user_roles r where r.user_id = caller and r.role = 'admin') then
    perform private.lock_admins();
    if not private.other_active_admin_exists(caller) then
      raise exception 'This user is the last admin' using errcode = 'ADM02';
    end if;
  end if;
  insert into private.account_deletion_requests (user_id, session_id, requested_at, request_id)
  values (caller, (auth.jwt() ->> 'session_id')::uuid, now(), left(p_request_id, 128))
  on conflict (user_id) do update
    set session_id = excluded.session_id, requested_at = excluded.requested_at, request_id = excluded.request_id;
  return now();
end
$$;
