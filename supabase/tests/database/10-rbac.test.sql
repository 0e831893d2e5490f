-- Roles and permissions: user_roles and role_permissions for every persona × every operation; the
-- revocation rules of private.session_is_active(); private.authorize() per role; demotions take effect
-- at once; the structural rules every policy follows.
begin;
create extension if not exists pgtap with schema extensions;

select plan(121);

-- The personas (alice, bob, support, admin, banned, revoked, reused, norole) and act_as().
\ir fixtures/matrix.psql

select count(*) as total_roles from public.user_roles \gset

-- ---------------------------------------------------------------------------------------------------
-- user_roles
-- ---------------------------------------------------------------------------------------------------

-- Every persona without roles.assign: it selects `sees` ('own' row, 'all' rows or 'none'), and each write
-- is refused: a role for norole, alice promoted to admin, alice's role row deleted.
create function pg_temp.user_roles_refused(who text, label text, sees text) returns setof text language plpgsql as $$
declare
  total int := (select count(*) from public.user_roles);
  n int;
begin
  perform pg_temp.act_as(who);
  if sees = 'own' then
    return next results_eq('select user_id from public.user_roles', format('select pg_temp.uid(%L)', who),
      format('user_roles: %s selects their own row only', label));
  elsif sees = 'all' then
    return next is((select count(*)::int from public.user_roles), total, format('user_roles: %s selects every row', label));
  else
    return next is((select count(*)::int from public.user_roles), 0,
      format('user_roles: %s selects nothing, not even their own row', label));
  end if;
  return next throws_ok($q$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$q$,
    '42501', null, format('user_roles: %s cannot insert', label));
  with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
  select count(*)::int into n from u;
  return next is(n, 0, format('user_roles: %s cannot update (promote alice to admin)', label));
  with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
  select count(*)::int into n from d;
  return next is(n, 0, format('user_roles: %s cannot delete (alice''s row)', label));
  reset role;
end
$$;

select pg_temp.act_as('anon');
select throws_ok($$select * from public.user_roles$$, '42501', null, 'user_roles: anon cannot select');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$$,
  '42501', null, 'user_roles: anon cannot insert');
select throws_ok($$update public.user_roles set role = 'admin'$$, '42501', null, 'user_roles: anon cannot update');
select throws_ok($$delete from public.user_roles$$, '42501', null, 'user_roles: anon cannot delete');
reset role;

select pg_temp.user_roles_refused('alice', 'the user', 'own');
select pg_temp.user_roles_refused('bob', 'another user', 'own');
select pg_temp.user_roles_refused('support', 'support', 'all');

-- Role writes need an AAL2 session (20261206100200_admin_writes.sql): refused at aal1, allowed once the
-- admin has given a code.
select pg_temp.act_as('admin');
select is((select count(*)::int from public.user_roles), :total_roles, 'user_roles: admin selects every row');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'support')$$,
  '42501', null, 'user_roles: an admin with an aal1 session cannot insert');
with u as (update public.user_roles set role = 'support' where user_id = pg_temp.uid('bob') returning 1)
select is(count(*)::int, 0, 'user_roles: an admin with an aal1 session cannot update') from u;
reset role;
select pg_temp.verify_mfa('admin') is not null as admin_verified \gset
select pg_temp.act_as('admin');
select lives_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'support')$$,
  'user_roles: admin inserts (roles.assign)');
with u as (update public.user_roles set role = 'support' where user_id = pg_temp.uid('bob') returning 1)
select is(count(*)::int, 1, 'user_roles: admin updates (roles.assign)') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('norole') returning 1)
select is(count(*)::int, 1, 'user_roles: admin deletes (roles.assign)') from d;
reset role;
update public.user_roles set role = 'user' where user_id = pg_temp.uid('bob');

-- No role survives a ban, a deleted session or reuse detection.
select pg_temp.user_roles_refused('banned', 'a banned admin', 'none');
select pg_temp.user_roles_refused('revoked', 'an admin whose session was deleted', 'none');
select pg_temp.user_roles_refused('reused', 'an admin whose refresh tokens were revoked (reuse detection)', 'none');

select is((select role from public.user_roles where user_id = pg_temp.uid('alice')), 'user'::public.app_role,
  'user_roles: after all of the above the user is still `user`');

-- ---------------------------------------------------------------------------------------------------
-- role_permissions: readable with an active session, never writable through the data path
-- ---------------------------------------------------------------------------------------------------

-- Every signed-in persona: it selects every row if `reads`, else nothing; no write of any kind passes,
-- the admin's included (permissions change by migration only).
create function pg_temp.role_permissions_refused(who text, label text, reads boolean) returns setof text language plpgsql as $$
declare
  total int := (select count(*) from public.role_permissions);
begin
  perform pg_temp.act_as(who);
  if reads then
    return next is((select count(*)::int from public.role_permissions), total,
      format('role_permissions: %s selects every row', label));
  else
    return next is((select count(*)::int from public.role_permissions), 0, format('role_permissions: %s selects nothing', label));
  end if;
  return next throws_ok($q$insert into public.role_permissions values ('user', 'users.read')$q$, '42501', null,
    format('role_permissions: %s cannot insert', label));
  return next throws_ok($q$update public.role_permissions set role = 'user'$q$, '42501', null,
    format('role_permissions: %s cannot update', label));
  return next throws_ok($q$delete from public.role_permissions$q$, '42501', null,
    format('role_permissions: %s cannot delete', label));
  return next throws_ok($q$truncate public.role_permissions$q$, '42501', null,
    format('role_permissions: %s cannot truncate', label));
  reset role;
end
$$;

select pg_temp.act_as('anon');
select throws_ok($$select * from public.role_permissions$$, '42501', null, 'role_permissions: anon cannot select');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: anon cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: anon cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: anon cannot delete');
reset role;

select pg_temp.role_permissions_refused('alice', 'the user', true);
select pg_temp.role_permissions_refused('bob', 'another user', true);
select pg_temp.role_permissions_refused('support', 'support', true);
select pg_temp.role_permissions_refused('admin', 'admin', true);
select pg_temp.role_permissions_refused('banned', 'a banned admin', false);
select pg_temp.role_permissions_refused('revoked', 'an admin whose session was deleted', false);
select pg_temp.role_permissions_refused('reused', 'an admin whose refresh tokens were revoked', false);

select results_eq(
  $$select role::text, array_agg(permission::text order by permission) from public.role_permissions group by role order by 1$$,
  $$values ('admin', array['users.read', 'users.write', 'users.create', 'users.ban', 'users.delete', 'sessions.revoke', 'roles.assign', 'factors.delete', 'audit.read']),
           ('support', array['users.read', 'audit.read'])$$,
  'role_permissions: support reads users and the audit log (read-only); admin has every permission; user none'
);

-- ---------------------------------------------------------------------------------------------------
-- private.session_is_active(): the revocation rules
-- ---------------------------------------------------------------------------------------------------

-- Whether the persona's own token passes session_is_active().
create function pg_temp.session_active_as(who text) returns boolean language plpgsql as $$
declare
  active boolean;
begin
  perform pg_temp.act_as(who);
  active := private.session_is_active();
  reset role;
  return active;
end
$$;

-- What private.assert_session() (the app server's guard) says for the persona: the role, or why it refused.
create function pg_temp.guard_says(who text) returns text language plpgsql as $$
begin
  return private.assert_session(pg_temp.uid(who), pg_temp.sid(who))::text;
exception when sqlstate '28000' then
  return sqlerrm;
end
$$;

select ok(pg_temp.session_active_as('alice'), 'session: an existing session with a live refresh token is active');
select ok(not pg_temp.session_active_as('banned'), 'session: a banned user''s session is not active (the ban kept the row)');
select ok(not pg_temp.session_active_as('revoked'), 'session: a deleted session is not active');
select ok(not pg_temp.session_active_as('reused'), 'session: a session whose refresh tokens were all revoked is not active');

-- A normal refresh revokes the parent token and adds a child: still active.
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
values ('00000000-0000-0000-0000-000000000000', left(md5(random()::text), 12), pg_temp.uid('alice')::text, true,
        now(), now(), pg_temp.sid('alice'));
select ok(pg_temp.session_active_as('alice'), 'session: a rotated (revoked) parent token next to a live one keeps the session active');

update auth.sessions set not_after = now() - interval '1 second' where id = pg_temp.sid('alice');
select ok(not pg_temp.session_active_as('alice'), 'session: a session past not_after is not active');
select is(pg_temp.guard_says('alice'), 'session_revoked', 'assert_session: agrees for a session past not_after');
update auth.sessions set not_after = null where id = pg_temp.sid('alice');

update auth.users set deleted_at = now() where id = pg_temp.uid('alice');
select ok(not pg_temp.session_active_as('alice'), 'session: a soft-deleted user''s session is not active');
select is(pg_temp.guard_says('alice'), 'session_revoked', 'assert_session: agrees for a soft-deleted user');
update auth.users set deleted_at = null where id = pg_temp.uid('alice');

update auth.users set banned_until = now() - interval '1 day' where id = pg_temp.uid('alice');
select ok(pg_temp.session_active_as('alice'), 'session: a ban that has ended no longer blocks');
update auth.users set banned_until = null where id = pg_temp.uid('alice');

select set_config('request.jwt.claims', json_build_object(
  'sub', pg_temp.uid('alice'), 'role', 'authenticated', 'session_id', pg_temp.sid('bob'))::text, true);
set local role authenticated;
select ok(not private.session_is_active(), 'session: another user''s session id does not count');
reset role;

select set_config('request.jwt.claims', json_build_object('sub', pg_temp.uid('alice'), 'role', 'authenticated')::text, true);
set local role authenticated;
select ok(not private.session_is_active(), 'session: a token without session_id is not active');
reset role;

select set_config('request.jwt.claims', json_build_object(
  'sub', pg_temp.uid('alice'), 'role', 'authenticated', 'session_id', 'not-a-uuid')::text, true);
set local role authenticated;
select ok(not private.session_is_active(), 'session: a malformed session_id is not active (and raises no error)');
reset role;

select set_config('request.jwt.claims', '', true);
set local role authenticated;
select ok(not private.session_is_active(), 'session: no claims at all is not active');
reset role;

-- private.assert_session() is the server-side guard's form of the same rules (for an explicit user and
-- session, callable by the table owner only): both must agree. Its own cases are in 60-assert-session.
create temp table active_as as select name, pg_temp.session_active_as(name) as active from pg_temp.fixtures;
select is(array(select name from pg_temp.active_as where active order by 1), array['admin', 'alice', 'bob', 'norole', 'support'],
  'session: active for every persona but the banned, revoked and reused ones');
select is(
  array(select a.name from pg_temp.active_as a
        where a.active is distinct from (pg_temp.guard_says(a.name) not in ('banned', 'session_revoked')) order by 1),
  '{}'::text[],
  'assert_session: agrees with session_is_active() for every persona'
);

-- ---------------------------------------------------------------------------------------------------
-- private.authorize(): permissions per role, and only with an active session
-- ---------------------------------------------------------------------------------------------------

-- The permissions private.authorize() grants to the persona's own token.
create function pg_temp.granted_to(who text) returns text[] language plpgsql as $$
declare
  granted text[];
begin
  perform pg_temp.act_as(who);
  select coalesce(array_agg(p::text order by p), '{}') into granted
  from unnest(enum_range(null::public.app_permission)) p
  where private.authorize(p);
  reset role;
  return granted;
end
$$;

select is(pg_temp.granted_to('alice'), '{}'::text[], 'authorize: a user has no permission');
select is(pg_temp.granted_to('support'), array['users.read', 'audit.read'], 'authorize: support reads only');
select is(pg_temp.granted_to('admin'), array['users.read', 'users.write', 'users.create', 'users.ban', 'users.delete', 'sessions.revoke', 'roles.assign', 'factors.delete', 'audit.read'],
  'authorize: admin has every permission');
select is(pg_temp.granted_to('norole'), '{}'::text[], 'authorize: a user without a role row has no permission');
select is(pg_temp.granted_to('banned'), '{}'::text[], 'authorize: a banned admin has no permission');
select is(pg_temp.granted_to('revoked'), '{}'::text[], 'authorize: an admin whose session was deleted has no permission');
select is(pg_temp.granted_to('reused'), '{}'::text[], 'authorize: an admin whose refresh tokens were revoked has no permission');
select pg_temp.act_as('anon');
select throws_ok($$select private.authorize('users.read')$$, '42501', null, 'authorize: anon cannot call it');
select throws_ok($$select private.session_is_active()$$, '42501', null, 'session_is_active: anon cannot call it');
reset role;

-- Demotions: the role is read from the table on every statement, so the next statement already sees it.
select pg_temp.act_as('admin');
select ok(private.authorize('roles.assign'), 'demotion: admin holds roles.assign');
reset role;
update public.user_roles set role = 'user' where user_id = pg_temp.uid('admin');
select pg_temp.act_as('admin');
select ok(not private.authorize('users.read'), 'demotion: effective in the same transaction, with the same token');
select is((select count(*)::int from public.user_roles), 1, 'demotion: the demoted admin now selects only their own role row');
reset role;
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('admin');

select pg_temp.act_as('admin');
with u as (update public.user_roles set role = 'user' where user_id = pg_temp.uid('support') returning 1)
select is(count(*)::int, 1, 'demotion: an admin demotes support through the data path') from u;
reset role;
select pg_temp.act_as('support');
select ok(not private.authorize('users.read'), 'demotion: the demoted support loses users.read on their next statement');
reset role;
update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select is(
  array(select c.relname::text from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
        order by 1),
  '{}'::text[],
  'every table in public has row level security enabled'
);
select is(
  array(select c.relname::text from pg_class c
        where c.oid in ('public.profiles'::regclass, 'public.user_roles'::regclass,
                        'public.role_permissions'::regclass, 'public.audit_events'::regclass)
          and not c.relforcerowsecurity
        order by 1),
  '{}'::text[],
  'row level security is forced on profiles, user_roles, role_permissions and audit_events'
);
-- Every policy for authenticated goes through the private helpers, each call wrapped in (select …).
select is(
  array(select p.tablename || '.' || p.policyname from pg_policies p
        where p.schemaname = 'public' and 'authenticated' = any (p.roles)
          and not (coalesce(p.qual, '') || coalesce(p.with_check, '')) ~ 'SELECT private\.(authorize|session_is_active)\('
        order by 1),
  '{}'::text[],
  'every policy for authenticated calls private.authorize() or private.session_is_active()'
);
select is(
  array(select p.tablename || '.' || p.policyname from pg_policies p
        where p.schemaname = 'public'
          and (select count(*) from regexp_matches(coalesce(p.qual, '') || coalesce(p.with_check, ''), 'private\.', 'g'))
           <> (select count(*) from regexp_matches(coalesce(p.qual, '') || coalesce(p.with_check, ''), '\( SELECT private\.[a-z_]+\([^()]*\) AS [a-z_]+\)', 'g'))
        order by 1),
  '{}'::text[],
  'every call to a private helper in a policy is wrapped in (select …), evaluated once per statement'
);
select is(
  array(select p.tablename || '.' || p.policyname from pg_policies p
        where p.schemaname = 'public' and ('anon' = any (p.roles) or 'public' = any (p.roles))
        order by 1),
  '{}'::text[],
  'no policy is written for anon or public'
);
select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace = 'private'::regnamespace and p.prosecdef
          and not coalesce(p.proconfig, '{}') @> array['search_path=""']
        order by 1),
  '{}'::text[],
  'every security definer function in private has an empty search_path'
);
select ok((select prosecdef from pg_proc where oid = 'private.authorize(public.app_permission)'::regprocedure),
  'private.authorize is security definer');
select ok((select prosecdef from pg_proc where oid = 'private.session_is_active()'::regprocedure),
  'private.session_is_active is security definer');
select ok(has_function_privilege('authenticated', 'private.authorize(public.app_permission)', 'execute')
      and has_function_privilege('authenticated', 'private.session_is_active()', 'execute'),
  'authenticated may execute the helpers');
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon has no usage on schema private');
select table_privs_are('public', 'user_roles', 'anon', '{}'::text[], 'anon has no privilege on user_roles');
select table_privs_are('public', 'role_permissions', 'anon', '{}'::text[], 'anon has no privilege on role_permissions');
select col_is_pk('public', 'user_roles', 'user_id', 'user_roles is indexed on user_id (policies filter on it)');
select col_is_pk('public', 'role_permissions', array['role', 'permission'], 'role_permissions is indexed on (role, permission)');
select has_index('auth', 'refresh_tokens', 'refresh_tokens_session_id_revoked_idx', array['session_id', 'revoked'],
  'auth.refresh_tokens is indexed on (session_id, revoked) for session_is_active()');
select has_index('auth', 'sessions', 'sessions_user_id_idx', 'user_id', 'auth.sessions is indexed on user_id');

select * from finish();
rollback;
