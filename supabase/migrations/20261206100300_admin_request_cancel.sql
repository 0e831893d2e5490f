-- An admin's deletion or factor-removal request that the Auth server then refused is withdrawn at once, so
-- that a deletion or removal in the next minutes that the admin did not make (the account's owner removing
-- the factor, say) is not recorded in the admin's name. Each removes only the caller's own request.
create function private.admin_cancel_user_deletion(p_user_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  delete from private.admin_user_deletions d where d.user_id = p_user_id and d.actor_id = auth.uid()
$$;

create function private.admin_cancel_factor_removal(p_factor_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  delete from private.admin_factor_removals r where r.factor_id = p_factor_id and r.actor_id = auth.uid()
$$;

revoke all on function private.admin_cancel_user_deletion(uuid) from public, anon, service_role;
revoke all on function private.admin_cancel_factor_removal(uuid) from public, anon, service_role;
grant execute on function private.admin_cancel_user_deletion(uuid) to authenticated;
grant execute on function private.admin_cancel_factor_removal(uuid) to authenticated;
