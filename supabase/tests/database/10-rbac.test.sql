-- Roles and permissions: user_roles and role_permissions for every persona × every operation; the
-- revocation rules of private.session_is_active(); private.authorize() per role; demotions take effect
-- at once; the structural rules every policy follows.
begin;
create extension if not exists pgtap with schema extensions;

select plan(117);

-- Fixtures, built inside this transaction. Every user gets a profile and the `user` role from the
-- auth.users trigger, and a session with a live refresh token; then each persona gets its role and state.
-- banned, revoked and reused are admins, so the tests show that no role survives those states.
create temp table fixtures (name text primary key, user_id uuid not null, session_id uuid not null);
grant select on fixtures to public;
insert into fixtures (name, user_id, session_id)
select n, gen_random_uuid(), gen_random_uuid()
from unnest(array['alice', 'bob', 'support', 'admin', 'banned', 'revoked', 'reused', 'norole']) n;

create function pg_temp.uid(who text) returns uuid language sql stable
as $$ select user_id from pg_temp.fixtures where name = who $$;
create function pg_temp.sid(who text) returns uuid language sql stable
as $$ select session_id from pg_temp.fixtures where name = who $$;

-- What the app's data path does per request: the verified claims, then `set local role`.
create function pg_temp.act_as(who text) returns void language plpgsql as $$
declare
  f record;
begin
  if who = 'anon' then
    perform set_config('request.jwt.claims', '{"role":"anon"}', true);
    perform set_config('role', 'anon', true);
    return;
  end if;
  select * into strict f from pg_temp.fixtures where name = who;
  perform set_config('request.jwt.claims', json_build_object(
    'sub', f.user_id, 'role', 'authenticated', 'session_id', f.session_id, 'aud', 'authenticated')::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', user_id, 'authenticated', 'authenticated', name || '@rls.test',
  '{"provider": "google", "providers": ["google"]}', jsonb_build_object('full_name', initcap(name)), now(), now()
from fixtures;
insert into auth.sessions (id, user_id, created_at, updated_at, aal)
select session_id, user_id, now(), now(), 'aal1' from fixtures;
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
select '00000000-0000-0000-0000-000000000000', left(md5(session_id::text), 12), user_id::text, false, now(), now(), session_id
from fixtures;

update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');
update public.user_roles set role = 'admin'
where user_id in (select user_id from fixtures where name in ('admin', 'banned', 'revoked', 'reused'));
delete from public.user_roles where user_id = pg_temp.uid('norole');
-- A ban keeps the sessions (Supabase Auth does not delete them).
update auth.users set banned_until = now() + interval '1 day' where id = pg_temp.uid('banned');
-- Sign-out, force sign-out or deletion: the session row is gone.
delete from auth.sessions where id = pg_temp.sid('revoked');
-- Reuse detection: every refresh token of the session revoked, the session row kept.
update auth.refresh_tokens set revoked = true where session_id = pg_temp.sid('reused');

select count(*) as total_roles from public.user_roles \gset
select count(*) as total_perms from public.role_permissions \gset

-- ---------------------------------------------------------------------------------------------------
-- user_roles
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from public.user_roles$$, '42501', null, 'user_roles: anon cannot select');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$$,
  '42501', null, 'user_roles: anon cannot insert');
select throws_ok($$update public.user_roles set role = 'admin'$$, '42501', null, 'user_roles: anon cannot update');
select throws_ok($$delete from public.user_roles$$, '42501', null, 'user_roles: anon cannot delete');
reset role;

select pg_temp.act_as('alice');
select results_eq($$select user_id from public.user_roles$$, $$select pg_temp.uid('alice')$$,
  'user_roles: the user selects their own row only');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'user')$$,
  '42501', null, 'user_roles: the user cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: the user cannot update (promote themselves)') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: the user cannot delete') from d;
reset role;

select pg_temp.act_as('bob');
select results_eq($$select user_id from public.user_roles$$, $$select pg_temp.uid('bob')$$,
  'user_roles: another user selects their own row only');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'user')$$,
  '42501', null, 'user_roles: another user cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: another user cannot update the user''s row') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: another user cannot delete the user''s row') from d;
reset role;

select pg_temp.act_as('support');
select is((select count(*)::int from public.user_roles), :total_roles, 'user_roles: support selects every row');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'user')$$,
  '42501', null, 'user_roles: support cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: support cannot update') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: support cannot delete') from d;
reset role;

select pg_temp.act_as('admin');
select is((select count(*)::int from public.user_roles), :total_roles, 'user_roles: admin selects every row');
select lives_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'support')$$,
  'user_roles: admin inserts (roles.assign)');
with u as (update public.user_roles set role = 'support' where user_id = pg_temp.uid('bob') returning 1)
select is(count(*)::int, 1, 'user_roles: admin updates (roles.assign)') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('norole') returning 1)
select is(count(*)::int, 1, 'user_roles: admin deletes (roles.assign)') from d;
reset role;
update public.user_roles set role = 'user' where user_id = pg_temp.uid('bob');

select pg_temp.act_as('banned');
select is((select count(*)::int from public.user_roles), 0, 'user_roles: a banned admin selects nothing, not even their own row');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$$,
  '42501', null, 'user_roles: a banned admin cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: a banned admin cannot update') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: a banned admin cannot delete') from d;
reset role;

select pg_temp.act_as('revoked');
select is((select count(*)::int from public.user_roles), 0, 'user_roles: an admin whose session was deleted selects nothing');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$$,
  '42501', null, 'user_roles: an admin whose session was deleted cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: an admin whose session was deleted cannot update') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: an admin whose session was deleted cannot delete') from d;
reset role;

select pg_temp.act_as('reused');
select is((select count(*)::int from public.user_roles), 0, 'user_roles: an admin whose refresh tokens were revoked (reuse detection) selects nothing');
select throws_ok($$insert into public.user_roles (user_id, role) values (pg_temp.uid('norole'), 'admin')$$,
  '42501', null, 'user_roles: an admin whose refresh tokens were revoked cannot insert');
with u as (update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: an admin whose refresh tokens were revoked cannot update') from u;
with d as (delete from public.user_roles where user_id = pg_temp.uid('alice') returning 1)
select is(count(*)::int, 0, 'user_roles: an admin whose refresh tokens were revoked cannot delete') from d;
reset role;

select is((select role from public.user_roles where user_id = pg_temp.uid('alice')), 'user'::public.app_role,
  'user_roles: after all of the above the user is still `user`');

-- ---------------------------------------------------------------------------------------------------
-- role_permissions: readable with an active session, never writable through the data path
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from public.role_permissions$$, '42501', null, 'role_permissions: anon cannot select');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: anon cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: anon cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: anon cannot delete');
reset role;

select pg_temp.act_as('alice');
select is((select count(*)::int from public.role_permissions), :total_perms, 'role_permissions: the user selects every row');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: the user cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: the user cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: the user cannot delete');
reset role;

select pg_temp.act_as('bob');
select is((select count(*)::int from public.role_permissions), :total_perms, 'role_permissions: another user selects every row');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: another user cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: another user cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: another user cannot delete');
reset role;

select pg_temp.act_as('support');
select is((select count(*)::int from public.role_permissions), :total_perms, 'role_permissions: support selects every row');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: support cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: support cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: support cannot delete');
reset role;

select pg_temp.act_as('admin');
select is((select count(*)::int from public.role_permissions), :total_perms, 'role_permissions: admin selects every row');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: admin cannot insert (permissions change by migration only)');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: admin cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: admin cannot delete');
select throws_ok($$truncate public.role_permissions$$, '42501', null, 'role_permissions: admin cannot truncate');
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from public.role_permissions), 0, 'role_permissions: a banned admin selects nothing');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: a banned admin cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null, 'role_permissions: a banned admin cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null, 'role_permissions: a banned admin cannot delete');
reset role;

select pg_temp.act_as('revoked');
select is((select count(*)::int from public.role_permissions), 0, 'role_permissions: an admin whose session was deleted selects nothing');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: an admin whose session was deleted cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null,
  'role_permissions: an admin whose session was deleted cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null,
  'role_permissions: an admin whose session was deleted cannot delete');
reset role;

select pg_temp.act_as('reused');
select is((select count(*)::int from public.role_permissions), 0,
  'role_permissions: an admin whose refresh tokens were revoked selects nothing');
select throws_ok($$insert into public.role_permissions values ('user', 'users.read')$$, '42501', null,
  'role_permissions: an admin whose refresh tokens were revoked cannot insert');
select throws_ok($$update public.role_permissions set role = 'user'$$, '42501', null,
  'role_permissions: an admin whose refresh tokens were revoked cannot update');
select throws_ok($$delete from public.role_permissions$$, '42501', null,
  'role_permissions: an admin whose refresh tokens were revoked cannot delete');
reset role;

select results_eq(
  $$select role::text, array_agg(permission::text order by permission) from public.role_permissions group by role order by 1$$,
  $$values ('admin', array['users.read', 'users.write', 'users.ban', 'users.delete', 'sessions.revoke', 'roles.assign', 'audit.read']),
           ('support', array['users.read', 'sessions.revoke', 'audit.read'])$$,
  'role_permissions: support reads users, revokes sessions and reads the audit log; admin has every permission; user none'
);

-- ---------------------------------------------------------------------------------------------------
-- private.session_is_active(): the revocation rules
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select ok(private.session_is_active(), 'session: an existing session with a live refresh token is active');
reset role;
select pg_temp.act_as('banned');
select ok(not private.session_is_active(), 'session: a banned user''s session is not active (the ban kept the row)');
reset role;
select pg_temp.act_as('revoked');
select ok(not private.session_is_active(), 'session: a deleted session is not active');
reset role;
select pg_temp.act_as('reused');
select ok(not private.session_is_active(), 'session: a session whose refresh tokens were all revoked is not active');
reset role;

-- A normal refresh revokes the parent token and adds a child: still active.
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
values ('00000000-0000-0000-0000-000000000000', left(md5(random()::text), 12), pg_temp.uid('alice')::text, true,
        now(), now(), pg_temp.sid('alice'));
select pg_temp.act_as('alice');
select ok(private.session_is_active(), 'session: a rotated (revoked) parent token next to a live one keeps the session active');
reset role;

update auth.sessions set not_after = now() - interval '1 second' where id = pg_temp.sid('alice');
select pg_temp.act_as('alice');
select ok(not private.session_is_active(), 'session: a session past not_after is not active');
reset role;
select is((select active from private.session_status(pg_temp.uid('alice'), pg_temp.sid('alice'))), false,
  'session_status: agrees for a session past not_after');
update auth.sessions set not_after = null where id = pg_temp.sid('alice');

update auth.users set deleted_at = now() where id = pg_temp.uid('alice');
select pg_temp.act_as('alice');
select ok(not private.session_is_active(), 'session: a soft-deleted user''s session is not active');
reset role;
select is((select active from private.session_status(pg_temp.uid('alice'), pg_temp.sid('alice'))), false,
  'session_status: agrees for a soft-deleted user');
update auth.users set deleted_at = null where id = pg_temp.uid('alice');

update auth.users set banned_until = now() - interval '1 day' where id = pg_temp.uid('alice');
select pg_temp.act_as('alice');
select ok(private.session_is_active(), 'session: a ban that has ended no longer blocks');
reset role;
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

-- private.session_status() is the server-side guard's form of the same rules (for an explicit user and
-- session, callable by the table owner only): both must agree.
create temp table active_as (name text primary key, active boolean);
grant insert on active_as to public;
do $$
declare
  n text;
begin
  for n in select name from pg_temp.fixtures loop
    perform pg_temp.act_as(n);
    insert into pg_temp.active_as values (n, private.session_is_active());
    reset role;
  end loop;
end
$$;
select is(array(select name from pg_temp.active_as where active order by 1), array['admin', 'alice', 'bob', 'norole', 'support'],
  'session: active for every persona but the banned, revoked and reused ones');
select is(
  array(select f.name from pg_temp.fixtures f
        cross join lateral private.session_status(f.user_id, f.session_id) st
        join pg_temp.active_as a on a.name = f.name
        where st.active is distinct from a.active order by 1),
  '{}'::text[],
  'session_status: agrees with session_is_active() for every persona'
);
select is(
  array(select f.name from pg_temp.fixtures f cross join lateral private.session_status(f.user_id, f.session_id) st
        where st.banned order by 1),
  array['banned'],
  'session_status: tells a ban apart from a revoked session'
);
select results_eq(
  $$select f.name, st.role::text from pg_temp.fixtures f cross join lateral private.session_status(f.user_id, f.session_id) st
    where f.name in ('alice', 'support', 'admin', 'norole') order by 1$$,
  $$values ('admin', 'admin'), ('alice', 'user'), ('norole', null), ('support', 'support')$$,
  'session_status: returns the current role'
);
select is((select active from private.session_status(pg_temp.uid('alice'), pg_temp.sid('bob'))), false,
  'session_status: another user''s session id does not count');
select ok(not has_function_privilege('authenticated', 'private.session_status(uuid, uuid)', 'execute')
      and not has_function_privilege('anon', 'private.session_status(uuid, uuid)', 'execute')
      and not has_function_privilege('service_role', 'private.session_status(uuid, uuid)', 'execute'),
  'session_status: no API role may probe other users'' sessions');

-- ---------------------------------------------------------------------------------------------------
-- private.authorize(): permissions per role, and only with an active session
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.granted() returns text[] language sql stable as $$
  select coalesce(array_agg(p::text order by p), '{}')
  from unnest(enum_range(null::public.app_permission)) p
  where private.authorize(p)
$$;

select pg_temp.act_as('alice');
select is(pg_temp.granted(), '{}'::text[], 'authorize: a user has no permission');
reset role;
select pg_temp.act_as('support');
select is(pg_temp.granted(), array['users.read', 'sessions.revoke', 'audit.read'], 'authorize: support');
reset role;
select pg_temp.act_as('admin');
select is(pg_temp.granted(), array['users.read', 'users.write', 'users.ban', 'users.delete', 'sessions.revoke', 'roles.assign', 'audit.read'],
  'authorize: admin has every permission');
reset role;
select pg_temp.act_as('norole');
select is(pg_temp.granted(), '{}'::text[], 'authorize: a user without a role row has no permission');
reset role;
select pg_temp.act_as('banned');
select is(pg_temp.granted(), '{}'::text[], 'authorize: a banned admin has no permission');
reset role;
select pg_temp.act_as('revoked');
select is(pg_temp.granted(), '{}'::text[], 'authorize: an admin whose session was deleted has no permission');
reset role;
select pg_temp.act_as('reused');
select is(pg_temp.granted(), '{}'::text[], 'authorize: an admin whose refresh tokens were revoked has no permission');
reset role;
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
