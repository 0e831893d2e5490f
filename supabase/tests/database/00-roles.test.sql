-- The roles and grants every Supabase database has, and the auth.* helpers that RLS policies use.
begin;
create extension if not exists pgtap with schema extensions;

select plan(29);

-- The roles
select has_role('anon');
select has_role('authenticated');
select has_role('service_role');
select has_role('authenticator');
select has_role('supabase_auth_admin');

select ok(not rolcanlogin, 'anon cannot log in') from pg_roles where rolname = 'anon';
select ok(not rolcanlogin, 'authenticated cannot log in') from pg_roles where rolname = 'authenticated';
select ok(not rolcanlogin, 'service_role cannot log in') from pg_roles where rolname = 'service_role';
select ok(rolbypassrls, 'service_role bypasses RLS') from pg_roles where rolname = 'service_role';
select ok(not rolbypassrls, 'anon does not bypass RLS') from pg_roles where rolname = 'anon';
select ok(not rolbypassrls, 'authenticated does not bypass RLS') from pg_roles where rolname = 'authenticated';
select ok(not rolsuper, 'service_role is not a superuser') from pg_roles where rolname = 'service_role';
select ok(rolcanlogin and not rolinherit, 'authenticator logs in and does not inherit')
  from pg_roles where rolname = 'authenticator';
select is_member_of('anon', 'authenticator');
select is_member_of('authenticated', 'authenticator');
select is_member_of('service_role', 'authenticator');
select ok(rolcanlogin and rolcreaterole and not rolinherit and not rolsuper,
  'supabase_auth_admin logs in, creates roles, does not inherit, is no superuser')
  from pg_roles where rolname = 'supabase_auth_admin';

-- The schemas
select schema_owner_is('auth', 'supabase_auth_admin');
select ok(has_schema_privilege('authenticated', 'auth', 'usage'), 'authenticated may use the auth schema');
select ok(not has_schema_privilege('authenticated', 'auth', 'create'), 'authenticated may not create in auth');

-- RLS as the API roles meet it: a table with RLS and no policy hides every row, except from
-- service_role. The default privileges give the API roles their table grants.
create table public._pgtap_rls_probe (id int);
insert into public._pgtap_rls_probe values (1), (2);
alter table public._pgtap_rls_probe enable row level security;
set local role service_role;
select is((select count(*)::int from public._pgtap_rls_probe), 2, 'service_role sees rows through RLS');
reset role;
set local role authenticated;
select is((select count(*)::int from public._pgtap_rls_probe), 0, 'authenticated sees no rows without a policy');
reset role;

-- auth.uid(), auth.role(), auth.jwt() read request.jwt.claims, as PostgREST and the app's data path set it
select is(auth.uid(), null, 'auth.uid() is null without claims');
select is(
  set_config('request.jwt.claims', '{"sub":"6c5f9c3e-1a52-4f8e-9d3b-2f1a4e0b7c11","role":"authenticated","email":"ada@example.com","app_metadata":{"provider":"google"}}', true),
  '{"sub":"6c5f9c3e-1a52-4f8e-9d3b-2f1a4e0b7c11","role":"authenticated","email":"ada@example.com","app_metadata":{"provider":"google"}}',
  'request.jwt.claims set for this transaction'
);
select is(auth.uid(), '6c5f9c3e-1a52-4f8e-9d3b-2f1a4e0b7c11'::uuid, 'auth.uid() is the sub claim');
select is(auth.role(), 'authenticated', 'auth.role() is the role claim');
select is(auth.jwt() ->> 'email', 'ada@example.com', 'auth.jwt() holds the claims');
select is(auth.jwt() -> 'app_metadata' ->> 'provider', 'google', 'auth.jwt() keeps nested claims');
set local role authenticated;
select is(auth.uid(), '6c5f9c3e-1a52-4f8e-9d3b-2f1a4e0b7c11'::uuid, 'authenticated may call auth.uid()');
reset role;

select * from finish();
rollback;
