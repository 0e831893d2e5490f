-- private.assert_session(): the app server's guard check, also the first statement of a page's data
-- transaction. Who passes with which role, who is stopped and why, and the page's permission. (That it
-- agrees with session_is_active() is in 10-rbac; that a failed check stops the queries sent behind it is
-- tested from the app's side, lib/db/rls.int.test.ts.)
begin;
create extension if not exists pgtap with schema extensions;

select plan(15);

\ir fixtures/matrix.psql

-- Who passes, and with which role
select is(private.assert_session(pg_temp.uid('alice'), pg_temp.sid('alice')), 'user'::public.app_role,
  'alice passes with the user role');
select is(private.assert_session(pg_temp.uid('support'), pg_temp.sid('support')), 'support'::public.app_role,
  'support passes with the support role');
select is(private.assert_session(pg_temp.uid('admin'), pg_temp.sid('admin')), 'admin'::public.app_role,
  'admin passes with the admin role');
select is(private.assert_session(pg_temp.uid('norole'), pg_temp.sid('norole')), 'user'::public.app_role,
  'a user without a user_roles row passes as user');

-- Who is stopped, and why
select throws_ok(format('select private.assert_session(%L, %L)', pg_temp.uid('banned'), pg_temp.sid('banned')),
  '28000', 'banned', 'a banned user is stopped as banned');
select throws_ok(format('select private.assert_session(%L, %L)', pg_temp.uid('revoked'), pg_temp.sid('revoked')),
  '28000', 'session_revoked', 'a deleted session is stopped as revoked');
select throws_ok(format('select private.assert_session(%L, %L)', pg_temp.uid('reused'), pg_temp.sid('reused')),
  '28000', 'session_revoked', 'a session whose refresh tokens were revoked (reuse detection) is stopped');
select throws_ok(format('select private.assert_session(%L, %L)', pg_temp.uid('alice'), pg_temp.sid('bob')),
  '28000', 'session_revoked', 'another user''s session id does not count');
select throws_ok(format('select private.assert_session(%L, %L)', gen_random_uuid(), gen_random_uuid()),
  '28000', 'session_revoked', 'an unknown user and session are stopped');

-- The page's permission, from the current role
select is(private.assert_session(pg_temp.uid('admin'), pg_temp.sid('admin'), 'users.delete'), 'admin'::public.app_role,
  'admin holds users.delete');
select is(private.assert_session(pg_temp.uid('support'), pg_temp.sid('support'), 'users.read'), 'support'::public.app_role,
  'support holds users.read');
select throws_ok(format('select private.assert_session(%L, %L, %L)', pg_temp.uid('support'), pg_temp.sid('support'), 'users.delete'),
  '42501', 'forbidden', 'support lacks users.delete');
select throws_ok(format('select private.assert_session(%L, %L, %L)', pg_temp.uid('alice'), pg_temp.sid('alice'), 'users.read'),
  '42501', 'forbidden', 'a user lacks users.read');
update public.user_roles set role = 'user' where user_id = pg_temp.uid('support');
select throws_ok(format('select private.assert_session(%L, %L, %L)', pg_temp.uid('support'), pg_temp.sid('support'), 'users.read'),
  '42501', 'forbidden', 'a demotion counts at once, whatever the token says');

-- Structure
select ok(not has_function_privilege('authenticated', 'private.assert_session(uuid, uuid, public.app_permission)', 'execute')
      and not has_function_privilege('anon', 'private.assert_session(uuid, uuid, public.app_permission)', 'execute')
      and not has_function_privilege('service_role', 'private.assert_session(uuid, uuid, public.app_permission)', 'execute'),
  'no API role may call assert_session');

select * from finish();
rollback;
