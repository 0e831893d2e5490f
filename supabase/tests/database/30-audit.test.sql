-- audit_events: every persona × every operation; nobody (authenticated admin, service_role, postgres)
-- can change or remove a row; public.audit_log shows the Auth server's entries next to the app's.
begin;
create extension if not exists pgtap with schema extensions;

select plan(62);

-- The personas (alice, bob, support, admin, banned, revoked, reused, norole) and act_as().
\ir fixtures/matrix.psql

insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, before, after)
values (pg_temp.uid('admin'), 'user.ban', pg_temp.uid('bob'), '203.0.113.7', 'Mozilla/5.0', 'req-1',
        '{"banned_until": null}', '{"banned_until": "2999-01-01T00:00:00Z"}');

-- The Auth server's own entries, in its payload shape (see the contract's 16-admin-factors-audit).
insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address) values
  ('00000000-0000-0000-0000-000000000000', gen_random_uuid(),
   json_build_object('action', 'login', 'actor_id', pg_temp.uid('alice'), 'actor_username', 'alice@rls.test',
                     'actor_via_sso', false, 'log_type', 'account', 'traits', json_build_object('provider_type', 'google')),
   now(), ''),
  ('00000000-0000-0000-0000-000000000000', gen_random_uuid(),
   json_build_object('action', 'user_deleted', 'actor_id', '00000000-0000-0000-0000-000000000000',
                     'actor_username', 'service_role', 'actor_via_sso', false, 'log_type', 'team',
                     'traits', json_build_object('user_email', 'gone@rls.test', 'user_id', pg_temp.uid('norole'))),
   now(), '198.51.100.1');

create function pg_temp.audit_count() returns int language sql stable
as $$ select count(*)::int from public.audit_events $$;

-- ---------------------------------------------------------------------------------------------------
-- The matrix
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from public.audit_events$$, '42501', null, 'audit_events: anon cannot select');
select throws_ok($$insert into public.audit_events (action) values ('x.y')$$, '42501', null, 'audit_events: anon cannot insert');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: anon cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: anon cannot delete');
reset role;

select pg_temp.act_as('alice');
select is((select count(*)::int from public.audit_events), 0, 'audit_events: the user selects nothing (no audit.read)');
select lives_ok($$insert into public.audit_events (actor_id, action, target_user_id) values (pg_temp.uid('alice'), 'profile.update', pg_temp.uid('alice'))$$,
  'audit_events: the user inserts an entry in their own name');
select throws_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('bob'), 'profile.update')$$, '42501', null,
  'audit_events: the user cannot insert in another user''s name');
select throws_ok($$insert into public.audit_events (actor_id, action) values (null, 'profile.update')$$, '42501', null,
  'audit_events: the user cannot insert a system (actor-less) entry');
select throws_ok($$update public.audit_events set action = 'x.y' where actor_id = pg_temp.uid('alice')$$, '42501', null,
  'audit_events: the user cannot update, not even their own entries');
select throws_ok($$delete from public.audit_events where actor_id = pg_temp.uid('alice')$$, '42501', null,
  'audit_events: the user cannot delete, not even their own entries');
reset role;

select pg_temp.act_as('bob');
select is((select count(*)::int from public.audit_events), 0, 'audit_events: another user selects nothing, not even entries about them');
select lives_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('bob'), 'session.sign_out_all')$$,
  'audit_events: another user inserts in their own name');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: another user cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: another user cannot delete');
reset role;

select pg_temp.audit_count() as audit_total \gset
select pg_temp.act_as('support');
select is((select count(*)::int from public.audit_events), :audit_total, 'audit_events: support selects every entry (audit.read)');
select lives_ok($$insert into public.audit_events (actor_id, action, target_user_id) values (pg_temp.uid('support'), 'session.revoke', pg_temp.uid('bob'))$$,
  'audit_events: support inserts in their own name');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: support cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: support cannot delete');
reset role;

select pg_temp.audit_count() as audit_total \gset
select pg_temp.act_as('admin');
select is((select count(*)::int from public.audit_events), :audit_total, 'audit_events: admin selects every entry');
select lives_ok($$insert into public.audit_events (actor_id, action, target_user_id) values (pg_temp.uid('admin'), 'role.assign', pg_temp.uid('bob'))$$,
  'audit_events: admin inserts in their own name');
select throws_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('support'), 'role.assign')$$, '42501', null,
  'audit_events: admin cannot insert in another user''s name');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: admin cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: admin cannot delete');
select throws_ok($$truncate public.audit_events$$, '42501', null, 'audit_events: admin cannot truncate');
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from public.audit_events), 0, 'audit_events: a banned admin selects nothing');
select throws_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('banned'), 'x.y')$$, '42501', null,
  'audit_events: a banned admin cannot insert, not even in their own name');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: a banned admin cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: a banned admin cannot delete');
reset role;

select pg_temp.act_as('revoked');
select is((select count(*)::int from public.audit_events), 0, 'audit_events: an admin whose session was deleted selects nothing');
select throws_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('revoked'), 'x.y')$$, '42501', null,
  'audit_events: an admin whose session was deleted cannot insert');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null,
  'audit_events: an admin whose session was deleted cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null,
  'audit_events: an admin whose session was deleted cannot delete');
reset role;

select pg_temp.act_as('reused');
select is((select count(*)::int from public.audit_events), 0, 'audit_events: an admin whose refresh tokens were revoked selects nothing');
select throws_ok($$insert into public.audit_events (actor_id, action) values (pg_temp.uid('reused'), 'x.y')$$, '42501', null,
  'audit_events: an admin whose refresh tokens were revoked cannot insert');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null,
  'audit_events: an admin whose refresh tokens were revoked cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null,
  'audit_events: an admin whose refresh tokens were revoked cannot delete');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Append-only for everyone, RLS-bypassing roles included
-- ---------------------------------------------------------------------------------------------------

select pg_temp.audit_count() as audit_total \gset

set local role service_role;
select is((select count(*)::int from public.audit_events), :audit_total, 'audit_events: service_role selects (it bypasses RLS)');
select lives_ok($$insert into public.audit_events (action, target_user_id) values ('user.delete', pg_temp.uid('bob'))$$,
  'audit_events: service_role inserts (system entries have no actor)');
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: service_role cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: service_role cannot delete');
select throws_ok($$truncate public.audit_events$$, '42501', null, 'audit_events: service_role cannot truncate');
reset role;

-- postgres (a superuser here, the table owner on a hosted project)
select throws_ok($$update public.audit_events set action = 'x.y'$$, '42501', null, 'audit_events: postgres cannot update');
select throws_ok($$delete from public.audit_events$$, '42501', null, 'audit_events: postgres cannot delete');
select throws_ok($$truncate public.audit_events$$, '42501', null, 'audit_events: postgres cannot truncate');
set local session_replication_role = replica;
select throws_ok($$delete from public.audit_events$$, '42501', null,
  'audit_events: the guard fires even with session_replication_role = replica');
reset session_replication_role;
select is(pg_temp.audit_count(), :audit_total + 1, 'audit_events: every entry is still there');
select ok(not exists (select 1 from public.audit_events where action = 'x.y'), 'audit_events: no entry was changed');

select table_privs_are('public', 'audit_events', 'anon', '{}'::text[], 'anon has no privilege on audit_events');
select table_privs_are('public', 'audit_events', 'authenticated', array['SELECT', 'INSERT'],
  'authenticated may only select and insert audit_events');
select ok(not has_table_privilege('service_role', 'public.audit_events', 'update')
      and not has_table_privilege('service_role', 'public.audit_events', 'delete')
      and not has_table_privilege('service_role', 'public.audit_events', 'truncate'),
  'service_role has no update, delete or truncate privilege on audit_events');

-- A writer cannot backdate an entry.
select pg_temp.act_as('alice');
insert into public.audit_events (actor_id, action, created_at) values (pg_temp.uid('alice'), 'backdate.try', '2000-01-01');
reset role;
select is((select created_at from public.audit_events where action = 'backdate.try'), now(),
  'audit_events: created_at is the writing transaction''s time whatever the writer sends');
select throws_ok($$insert into public.audit_events (action) values ('Not An Action')$$, '23514', null,
  'audit_events: actions are dotted lowercase names');
select has_index('public', 'audit_events', 'audit_events_actor_id_idx', array['actor_id', 'created_at'],
  'audit_events is indexed on actor_id (the insert policy checks it)');
select has_index('public', 'audit_events', 'audit_events_target_user_id_idx', array['target_user_id', 'created_at'],
  'audit_events is indexed on target_user_id');

-- ---------------------------------------------------------------------------------------------------
-- public.audit_log: app entries and the Auth server's entries, one shape, audit.read only
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from public.audit_log$$, '42501', null, 'audit_log: anon cannot select');
reset role;

select pg_temp.act_as('alice');
select is((select count(*)::int from public.audit_log), 0, 'audit_log: the user selects nothing, from either source');
select throws_ok($$select * from auth.audit_log_entries$$, '42501', null, 'audit_log: the Auth server''s table itself stays closed');
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from public.audit_log), 0, 'audit_log: a banned admin selects nothing');
reset role;

select pg_temp.act_as('support');
select results_eq(
  $$select source, actor_id, action, target_user_id, ip from public.audit_log
    where (source = 'auth' and actor_id is not distinct from pg_temp.uid('alice') and action = 'login')
       or (source = 'auth' and action = 'user_deleted' and target_user_id = pg_temp.uid('norole'))
       or (source = 'app' and action = 'user.ban' and actor_id = pg_temp.uid('admin'))
    order by action$$,
  $$values ('auth', pg_temp.uid('alice'), 'login', pg_temp.uid('alice'), null::text),
           ('app', pg_temp.uid('admin'), 'user.ban', pg_temp.uid('bob'), '203.0.113.7'),
           ('auth', null::uuid, 'user_deleted', pg_temp.uid('norole'), '198.51.100.1')$$,
  'audit_log: support sees sign-ins and admin actions of both sources in one shape (nil actor = system)'
);
select is(
  (select details from public.audit_log where source = 'app' and action = 'user.ban' and actor_id = pg_temp.uid('admin')),
  '{"before": {"banned_until": null}, "after": {"banned_until": "2999-01-01T00:00:00Z"}, "user_agent": "Mozilla/5.0", "request_id": "req-1"}'::jsonb,
  'audit_log: app entries carry before/after, user agent and request id in details'
);
select is(
  (select details ->> 'log_type' from public.audit_log where source = 'auth' and action = 'login' and actor_id = pg_temp.uid('alice')),
  'account',
  'audit_log: Auth entries carry their payload in details'
);
reset role;

set local role service_role;
select throws_ok($$select * from public.audit_log$$, '42501', null,
  'audit_log: not for service_role (a view for signed-in staff; the admin API has /admin/audit)');
reset role;

select * from finish();
rollback;
