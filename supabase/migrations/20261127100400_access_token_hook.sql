-- Custom Access Token hook (supabase/config.toml [auth.hook.custom_access_token]). The Auth server calls it
-- as supabase_auth_admin for every access token it issues (sign-in and each refresh).
--
-- user_role is for the UI only: it is as old as the token. Authorization reads the current role from
-- public.user_roles (private.authorize).
--
-- The token travels in a cookie on every request, so it keeps only what the app reads: the claims the
-- Auth server requires (top-level claims are left as they are), user_metadata reduced to a name and an
-- avatar, app_metadata reduced to the sign-in providers. Google's and Apple's other claims (iss, sub,
-- provider_id, email_verified, picture duplicating avatar_url, custom_claims…) are dropped.
create function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  user_meta jsonb := coalesce(event -> 'claims' -> 'user_metadata', '{}'::jsonb);
  app_meta jsonb := coalesce(event -> 'claims' -> 'app_metadata', '{}'::jsonb);
  assigned_role public.app_role;
begin
  select ur.role into assigned_role
  from public.user_roles ur
  where ur.user_id = (event ->> 'user_id')::uuid;

  if jsonb_typeof(user_meta) <> 'object' then user_meta := '{}'::jsonb; end if;
  if jsonb_typeof(app_meta) <> 'object' then app_meta := '{}'::jsonb; end if;

  claims := claims
    || jsonb_build_object(
      'user_role', coalesce(assigned_role, 'user'),
      'user_metadata', jsonb_strip_nulls(jsonb_build_object(
        'full_name', coalesce(user_meta ->> 'full_name', user_meta ->> 'name'),
        'avatar_url', coalesce(user_meta ->> 'avatar_url', user_meta ->> 'picture')
      )),
      'app_metadata', jsonb_strip_nulls(jsonb_build_object(
        'provider', app_meta -> 'provider',
        'providers', app_meta -> 'providers'
      ))
    );

  return jsonb_build_object('claims', claims);
end
$$;

-- Exactly what Supabase documents for a hook: only the Auth server's role may run it and read the
-- table it needs. The default privileges of the public schema grant every API role EXECUTE on new
-- functions, hence the explicit revoke.
grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from authenticated, anon, service_role, public;

grant select on table public.user_roles to supabase_auth_admin;

create policy user_roles_select_auth_admin on public.user_roles
  as permissive
  for select to supabase_auth_admin
  using (true);
