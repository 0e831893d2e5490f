-- The custom access token hook of the contract recording: adds the claim user_role = "member" to every access
-- token. Written as Supabase's documentation shows it (a Postgres function taking and returning the hook event),
-- executable by supabase_auth_admin only. Applied by the contract harness to its own database (contract_auth).

create or replace function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
as $$
declare
  claims jsonb;
begin
  claims := event -> 'claims';
  claims := jsonb_set(claims, '{user_role}', '"member"');
  event := jsonb_set(event, '{claims}', claims);
  return event;
end;
$$;

grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from authenticated, anon, public;
