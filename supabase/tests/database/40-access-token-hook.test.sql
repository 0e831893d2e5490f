-- public.custom_access_token_hook: the user_role claim for each role, required claims kept, provider
-- clutter dropped, the token small; executable by the Auth server's role only.
begin;
create extension if not exists pgtap with schema extensions;

select plan(33);

-- The personas (alice, bob, support, admin, banned, revoked, reused, norole) and act_as().
\ir fixtures/matrix.psql

-- What the Auth server passes: claims shaped like the contract transcripts (02 Google, 03 Apple), with a
-- Google avatar URL and subject of real-world length.
create function pg_temp.google_event(who text) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'user_id', pg_temp.uid(who),
    'authentication_method', 'oauth',
    'claims', jsonb_build_object(
      'aal', 'aal1',
      'amr', jsonb_build_array(jsonb_build_object('method', 'oauth', 'timestamp', 1764236400)),
      'app_metadata', jsonb_build_object('provider', 'google', 'providers', jsonb_build_array('google')),
      'aud', 'authenticated',
      'email', 'firstname.lastname@example-company.com',
      'exp', 1764237000,
      'iat', 1764236400,
      'is_anonymous', false,
      'iss', 'https://abcdefghijklmnopqrst.supabase.co/auth/v1',
      'phone', '',
      'role', 'authenticated',
      'session_id', pg_temp.sid(who),
      'sub', pg_temp.uid(who),
      'user_metadata', jsonb_build_object(
        'avatar_url', 'https://lh3.googleusercontent.com/a/ACg8ocKq3VfZ8mXr2pT1sJ9yWbN4hL7cD0eU6iQ5oR3aG8kM2vY=s96-c',
        'email', 'firstname.lastname@example-company.com',
        'email_verified', true,
        'full_name', 'Firstname Lastname',
        'iss', 'https://accounts.google.com',
        'name', 'Firstname Lastname',
        'phone_verified', false,
        'picture', 'https://lh3.googleusercontent.com/a/ACg8ocKq3VfZ8mXr2pT1sJ9yWbN4hL7cD0eU6iQ5oR3aG8kM2vY=s96-c',
        'provider_id', '108234567890123456789',
        'sub', '108234567890123456789')))
$$;

create function pg_temp.apple_event(who text) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'user_id', pg_temp.uid(who),
    'authentication_method', 'oauth',
    'claims', jsonb_build_object(
      'aal', 'aal1',
      'amr', jsonb_build_array(jsonb_build_object('method', 'oauth', 'timestamp', 1764236400)),
      'app_metadata', jsonb_build_object('provider', 'apple', 'providers', jsonb_build_array('apple', 'google')),
      'aud', jsonb_build_array('authenticated'),
      'email', 'x7k2mq9vbn@privaterelay.appleid.com',
      'exp', 1764237000,
      'iat', 1764236400,
      'is_anonymous', false,
      'iss', 'https://abcdefghijklmnopqrst.supabase.co/auth/v1',
      'phone', '',
      'role', 'authenticated',
      'session_id', pg_temp.sid(who),
      'sub', pg_temp.uid(who),
      'user_metadata', jsonb_build_object(
        'custom_claims', jsonb_build_object('is_private_email', true),
        'email', 'x7k2mq9vbn@privaterelay.appleid.com',
        'email_verified', true,
        'full_name', 'Firstname Lastname',
        'iss', 'https://appleid.apple.com',
        'name', 'Firstname Lastname',
        'phone_verified', false,
        'provider_id', '001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234',
        'sub', '001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234')))
$$;

-- JSON as JSON.stringify writes it (jsonb's text form adds a space after every `:` and `,`).
create function pg_temp.compact(j jsonb) returns text language plpgsql immutable as $$
begin
  return case jsonb_typeof(j)
    when 'object' then '{' || coalesce((select string_agg(to_jsonb(k)::text || ':' || pg_temp.compact(v), ',')
                                        from jsonb_each(j) e (k, v)), '') || '}'
    when 'array' then '[' || coalesce((select string_agg(pg_temp.compact(v), ',' order by o)
                                       from jsonb_array_elements(j) with ordinality a (v, o)), '') || ']'
    else j::text
  end;
end
$$;

-- Length of the ES256 JWT these claims become: base64url(header).base64url(payload).base64url(64-byte
-- signature), with the header the stack and hosted projects write (a uuid kid).
create function pg_temp.jwt_length(claims jsonb) returns int language sql immutable as $$
  select ceil(octet_length('{"alg":"ES256","kid":"00000000-0000-0000-0000-000000000000","typ":"JWT"}') * 4 / 3.0)::int
    + 1 + ceil(octet_length(convert_to(pg_temp.compact(claims), 'UTF8')) * 4 / 3.0)::int
    + 1 + 86
$$;

create temp table hook_out (name text primary key, event jsonb, result jsonb);
grant insert on hook_out to public;

-- The hook runs as the Auth server's role, with exactly its privileges.
set local role supabase_auth_admin;
insert into pg_temp.hook_out (name, event, result)
select n, e, public.custom_access_token_hook(e)
from (values
  ('user', pg_temp.google_event('alice')),
  ('support', pg_temp.google_event('support')),
  ('admin', pg_temp.google_event('admin')),
  ('norole', pg_temp.google_event('norole')),
  ('apple', pg_temp.apple_event('bob'))
) v (n, e);
reset role;

create function pg_temp.claims(name text) returns jsonb language sql stable
as $$ select result -> 'claims' from pg_temp.hook_out h where h.name = claims.name $$;

-- ---------------------------------------------------------------------------------------------------
-- Output per role
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.claims('user') ->> 'user_role', 'user', 'hook: a user''s token says user_role = user');
select is(pg_temp.claims('support') ->> 'user_role', 'support', 'hook: support''s token says user_role = support');
select is(pg_temp.claims('admin') ->> 'user_role', 'admin', 'hook: an admin''s token says user_role = admin');
select is(pg_temp.claims('norole') ->> 'user_role', 'user', 'hook: a user without a role row gets user_role = user');
select is(pg_temp.claims('apple') ->> 'user_role', 'user', 'hook: Apple users get the claim too');

select is(
  array(select h.name from pg_temp.hook_out h
        where not (h.result -> 'claims') ?& array['iss', 'aud', 'exp', 'iat', 'sub', 'role', 'aal', 'session_id',
                                                  'email', 'phone', 'is_anonymous', 'amr']
        order by 1),
  '{}'::text[],
  'hook: every token keeps iss, aud, exp, iat, sub, role, aal, session_id, email, phone, is_anonymous, amr'
);
select is(
  array(select h.name from pg_temp.hook_out h
        where (h.result -> 'claims') - array['user_metadata', 'app_metadata', 'user_role']
           <> (h.event -> 'claims') - array['user_metadata', 'app_metadata']
        order by 1),
  '{}'::text[],
  'hook: top-level claims are passed through unchanged (aud as an array included)'
);
select is(pg_temp.claims('user') -> 'user_metadata',
  '{"full_name": "Firstname Lastname", "avatar_url": "https://lh3.googleusercontent.com/a/ACg8ocKq3VfZ8mXr2pT1sJ9yWbN4hL7cD0eU6iQ5oR3aG8kM2vY=s96-c"}'::jsonb,
  'hook: Google user_metadata is reduced to full_name and avatar_url');
select is(pg_temp.claims('user') -> 'app_metadata', '{"provider": "google", "providers": ["google"]}'::jsonb,
  'hook: app_metadata is reduced to provider and providers');
select is(pg_temp.claims('apple') -> 'user_metadata', '{"full_name": "Firstname Lastname"}'::jsonb,
  'hook: Apple user_metadata is reduced to full_name (custom_claims, iss, sub, provider_id… dropped)');
select is(pg_temp.claims('apple') -> 'app_metadata', '{"provider": "apple", "providers": ["apple", "google"]}'::jsonb,
  'hook: linked providers are kept');

set local role supabase_auth_admin;
insert into pg_temp.hook_out (name, event, result)
select 'bare', e, public.custom_access_token_hook(e)
from (select (pg_temp.google_event('alice') #- '{claims,user_metadata}') #- '{claims,app_metadata}' as e) v;
insert into pg_temp.hook_out (name, event, result)
select 'oidc', e, public.custom_access_token_hook(e)
from (select jsonb_set(pg_temp.google_event('alice'), '{claims,user_metadata}',
                       '{"name": "Only Name", "picture": "https://example.com/p.png"}') as e) v;
reset role;
select is(pg_temp.claims('bare') -> 'user_metadata', '{}'::jsonb, 'hook: missing user_metadata becomes an empty object');
select is(pg_temp.claims('oidc') -> 'user_metadata', '{"full_name": "Only Name", "avatar_url": "https://example.com/p.png"}'::jsonb,
  'hook: name and picture stand in for full_name and avatar_url');

-- ---------------------------------------------------------------------------------------------------
-- Size: access token ≤ 1 kB
-- ---------------------------------------------------------------------------------------------------

select cmp_ok(pg_temp.jwt_length(pg_temp.claims('admin')), '<=', 1024,
  'hook: a Google admin''s access token stays within 1 kB');
select cmp_ok(pg_temp.jwt_length(pg_temp.claims('apple')), '<=', 1024,
  'hook: an Apple user''s access token stays within 1 kB');
select cmp_ok(pg_temp.jwt_length((select event -> 'claims' from pg_temp.hook_out where name = 'admin')), '>', 1024,
  'hook: without it the same Google token would exceed 1 kB');
select cmp_ok(octet_length(convert_to(pg_temp.compact(pg_temp.claims('admin')), 'UTF8')), '<=', 630,
  'hook: the claims JSON of a Google admin fits the 1 kB budget left by header and signature (630 bytes)');

select diag(format('access token length, Google admin: %s bytes (without the hook %s); Apple user: %s (without %s)',
  pg_temp.jwt_length(pg_temp.claims('admin')), pg_temp.jwt_length((select event -> 'claims' from pg_temp.hook_out where name = 'admin')),
  pg_temp.jwt_length(pg_temp.claims('apple')), pg_temp.jwt_length((select event -> 'claims' from pg_temp.hook_out where name = 'apple'))));

-- ---------------------------------------------------------------------------------------------------
-- The role is read at issue time: the next refresh after a role change carries the new role.
-- ---------------------------------------------------------------------------------------------------

update public.user_roles set role = 'user' where user_id = pg_temp.uid('admin');
set local role supabase_auth_admin;
insert into pg_temp.hook_out (name, event, result)
select 'demoted', e, public.custom_access_token_hook(e) from (select pg_temp.google_event('admin') as e) v;
reset role;
select is(pg_temp.claims('demoted') ->> 'user_role', 'user', 'hook: after a demotion the next token says user');

-- ---------------------------------------------------------------------------------------------------
-- Grants: as Supabase documents for hooks, nothing more
-- ---------------------------------------------------------------------------------------------------

select ok(has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'hook: supabase_auth_admin may execute it');
select ok(not has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'hook: authenticated may not execute it');
select ok(not has_function_privilege('anon', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'hook: anon may not execute it');
select ok(not has_function_privilege('service_role', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'hook: service_role may not execute it');
select ok(not exists (
    select 1 from pg_proc p, aclexplode(p.proacl) a
    where p.oid = 'public.custom_access_token_hook(jsonb)'::regprocedure and a.grantee = 0),
  'hook: PUBLIC may not execute it');
select ok(not (select prosecdef from pg_proc where oid = 'public.custom_access_token_hook(jsonb)'::regprocedure),
  'hook: runs with the caller''s (supabase_auth_admin''s) privileges, not as a security definer');

select pg_temp.act_as('admin');
select throws_ok($$select public.custom_access_token_hook('{}'::jsonb)$$, '42501', null,
  'hook: a signed-in user cannot call it');
reset role;
select pg_temp.act_as('anon');
select throws_ok($$select public.custom_access_token_hook('{}'::jsonb)$$, '42501', null, 'hook: anon cannot call it');
reset role;

select table_privs_are('public', 'user_roles', 'supabase_auth_admin', array['SELECT'],
  'hook: supabase_auth_admin may only select user_roles');
select table_privs_are('public', 'profiles', 'supabase_auth_admin', '{}'::text[], 'hook: supabase_auth_admin has no privilege on profiles');
select table_privs_are('public', 'role_permissions', 'supabase_auth_admin', '{}'::text[],
  'hook: supabase_auth_admin has no privilege on role_permissions');
select table_privs_are('public', 'audit_events', 'supabase_auth_admin', '{}'::text[],
  'hook: supabase_auth_admin has no privilege on audit_events');
select policies_are('public', 'user_roles',
  array['user_roles_select', 'user_roles_insert', 'user_roles_update', 'user_roles_delete', 'user_roles_select_auth_admin'],
  'hook: user_roles has one policy for supabase_auth_admin next to those for authenticated');
select policy_roles_are('public', 'user_roles', 'user_roles_select_auth_admin', array['supabase_auth_admin'],
  'hook: the policy that lets the hook read roles applies to supabase_auth_admin only');
select policy_cmd_is('public', 'user_roles', 'user_roles_select_auth_admin', 'select',
  'hook: and only to select');

select * from finish();
rollback;
