-- The admin dashboard's writes (20261206100200_admin_writes.sql): who may call each function (a user,
-- support, an admin without a factor, an admin with a factor on an aal1 session, an admin on an aal2
-- session), what each changes, its audit row, the own-account and last-admin rules, and the triggers that
-- finish a creation, a deletion and a factor removal made through the Auth server.
begin;
create extension if not exists pgtap with schema extensions;

select plan(121);

-- alice, bob, carol, dave: plain users. admin and boss: admins on AAL2 sessions. nofactor: an admin without a
-- factor. aal1: an admin with a verified factor whose session is aal1.
\set personas '{alice,bob,carol,dave,support,admin,boss,nofactor,aal1,banned,revoked}'
\ir fixtures/matrix.psql

update public.user_roles set role = 'admin' where user_id in (pg_temp.uid('boss'), pg_temp.uid('nofactor'), pg_temp.uid('aal1'));
select pg_temp.verify_mfa('admin') is not null as ok \gset
select pg_temp.verify_mfa('boss') is not null as ok \gset
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
values (gen_random_uuid(), pg_temp.uid('aal1'), 'Phone', 'totp', 'verified', now(), now(), 'JBSWY3DPEHPK3PXP');
-- dave has a lost phone: a verified factor (and an unverified one).
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
values ('00000000-0000-4000-8000-0000000fac01', pg_temp.uid('dave'), 'Old phone', 'totp', 'verified', now(), now(), 'JBSWY3DPEHPK3PXP'),
       ('00000000-0000-4000-8000-0000000fac02', pg_temp.uid('dave'), 'Half set up', 'totp', 'unverified', now(), now(), 'JBSWY3DPEHPK3PXP');
-- alice is signed in on a second device too.
insert into auth.sessions (id, user_id, created_at, updated_at, aal)
values ('00000000-0000-4000-8000-00000000a11c', pg_temp.uid('alice'), now(), now(), 'aal1');
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
values ('00000000-0000-0000-0000-000000000000', 'a11ce-second', pg_temp.uid('alice')::text, false, now(), now(),
        '00000000-0000-4000-8000-00000000a11c');

create function pg_temp.audit(p_action text, p_target uuid)
returns table (actor_id uuid, before jsonb, after jsonb, ip text, user_agent text, request_id text)
language sql stable
as $$
  select e.actor_id, e.before, e.after, host(e.ip), e.user_agent, e.request_id
  from public.audit_events e where e.action = p_action and e.target_user_id = p_target and e.created_at = now()
  order by e.created_at, e.id
$$;
create function pg_temp.audit_count(p_action text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where action = p_action and created_at = now() $$;

-- ---------------------------------------------------------------------------------------------------
-- The AAL2 rule: private.assert_admin_write()
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.write_refusal(who text, perm public.app_permission) returns text language plpgsql as $$
declare
  state text;
begin
  perform pg_temp.act_as(who);
  begin
    perform private.assert_admin_write(perm);
    state := 'allowed';
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;

select is(pg_temp.write_refusal('alice', 'users.ban'), '42501 forbidden', 'assert_admin_write: a user is forbidden');
select is(pg_temp.write_refusal('support', 'users.ban'), '42501 forbidden', 'assert_admin_write: support is forbidden (read-only)');
select is(pg_temp.write_refusal('support', 'sessions.revoke'), '42501 forbidden', 'assert_admin_write: support cannot end sessions any more');
select is(pg_temp.write_refusal('nofactor', 'users.ban'), 'AAL01 mfa_enrolment_required',
  'assert_admin_write: an admin without a verified factor: AAL01 mfa_enrolment_required');
select is(pg_temp.write_refusal('aal1', 'users.ban'), 'AAL02 mfa_required',
  'assert_admin_write: an admin with a factor on an aal1 session: AAL02 mfa_required');
select is(pg_temp.write_refusal('admin', 'users.ban'), 'allowed', 'assert_admin_write: an admin on an aal2 session may');
select is(pg_temp.write_refusal('banned', 'users.ban'), '42501 permission denied: the session is not active',
  'assert_admin_write: a banned admin is refused');
select is(pg_temp.write_refusal('revoked', 'users.ban'), '42501 permission denied: the session is not active',
  'assert_admin_write: an admin whose session was ended is refused');
select pg_temp.act_as('anon');
select throws_ok($$select private.assert_admin_write('users.ban')$$, '42501', null, 'assert_admin_write: anon may not call it');
reset role;
-- The token's claim is not enough: the session row decides.
update auth.sessions set aal = 'aal1' where id = pg_temp.sid('boss');
select is(pg_temp.write_refusal('boss', 'roles.assign'), 'AAL02 mfa_required', 'assert_admin_write: a session dropped to aal1 is refused');
update auth.sessions set aal = 'aal2' where id = pg_temp.sid('boss');
select pg_temp.act_as('admin');
select ok(private.session_mfa_verified(), 'session_mfa_verified: true for the aal2 admin');
reset role;
select pg_temp.act_as('aal1');
select ok(not private.session_mfa_verified(), 'session_mfa_verified: false for the aal1 admin');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Ban and unban
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.ban_as(who text, target text, secs numeric default 3600, reason text default 'spam')
returns text language plpgsql as $$
declare
  state text;
begin
  perform pg_temp.act_as(who);
  begin
    perform private.admin_ban_user(pg_temp.uid(target), secs, '1h', reason);
    state := 'ok';
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;

select is(pg_temp.ban_as('alice', 'bob'), '42501 forbidden', 'ban: a user is refused');
select is(pg_temp.ban_as('support', 'bob'), '42501 forbidden', 'ban: support is refused');
select is(pg_temp.ban_as('nofactor', 'bob'), 'AAL01 mfa_enrolment_required', 'ban: an admin without a factor is refused');
select is(pg_temp.ban_as('aal1', 'bob'), 'AAL02 mfa_required', 'ban: an admin on an aal1 session is refused');
select is(pg_temp.ban_as('admin', 'admin'), 'ADM01 You cannot ban your own account', 'ban: not one''s own account');
select is(pg_temp.ban_as('admin', 'bob', 3600, null), '22023 reason: give a reason for the ban', 'ban: a reason is required');
select is(pg_temp.ban_as('admin', 'bob', 3600, '   '), '22023 reason: give a reason for the ban', 'ban: a blank reason is refused');
select is(pg_temp.ban_as('admin', 'bob', 3600, repeat('x', 501)), '22023 reason: at most 500 characters, without control characters',
  'ban: a reason over 500 characters is refused');
select is(pg_temp.ban_as('admin', 'bob', 0), '22023 duration: between a moment and 876000h', 'ban: a zero duration is refused');
select is(pg_temp.ban_as('admin', 'bob', 876001 * 3600::numeric), '22023 duration: between a moment and 876000h',
  'ban: over 876000h is refused');
select is((select banned_until from auth.users where id = pg_temp.uid('bob')), null, 'ban: bob is not banned after the refusals');
select is(pg_temp.audit_count('user.ban'), 0, 'ban: the refusals wrote no audit row');

select pg_temp.act_as('admin');
select throws_ok($$select private.admin_ban_user(gen_random_uuid(), 3600, '1h', 'spam')$$, 'P0002', 'No such user',
  'ban: an unknown user is P0002');
select is((select sessions_revoked from private.admin_ban_user(pg_temp.uid('bob'), 86400, '24h', 'spam', '203.0.113.9', 'Browser', 'req-1')),
  1, 'ban: an admin bans bob and ends his one session');
reset role;
select ok((select banned_until between now() + interval '23 hours 59 minutes' and now() + interval '24 hours'
           from auth.users where id = pg_temp.uid('bob')), 'ban: bob is banned for 24 hours');
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('bob')), 0, 'ban: bob has no session left');
select results_eq(
  $$select actor_id, before, after - 'banned_until', ip, user_agent, request_id from pg_temp.audit('user.ban', pg_temp.uid('bob'))$$,
  $$values (pg_temp.uid('admin'), '{"banned_until": null}'::jsonb,
            '{"ban_duration": "24h", "sessions_revoked": 1, "reason": "spam"}'::jsonb, '203.0.113.9', 'Browser', 'req-1')$$,
  'ban: the audit row names the actor, the reason, before and after');
select ok((select (after ->> 'banned_until')::timestamptz = (select banned_until from auth.users where id = pg_temp.uid('bob'))
           from pg_temp.audit('user.ban', pg_temp.uid('bob'))), 'ban: the audit row holds the new banned_until');
select pg_temp.act_as('bob');
select ok(not private.session_is_active(), 'ban: bob''s token is refused at once');
reset role;

create function pg_temp.unban_as(who text, target text) returns text language plpgsql as $$
declare
  state text;
begin
  perform pg_temp.act_as(who);
  begin
    select case when changed then 'changed' else 'unchanged' end into state from private.admin_unban_user(pg_temp.uid(target), 'appeal');
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;
select is(pg_temp.unban_as('support', 'bob'), '42501 forbidden', 'unban: support is refused');
select is(pg_temp.unban_as('aal1', 'bob'), 'AAL02 mfa_required', 'unban: an aal1 admin is refused');
select is(pg_temp.unban_as('admin', 'admin'), 'ADM01 You cannot unban your own account', 'unban: not one''s own account');
select is(pg_temp.unban_as('admin', 'bob'), 'changed', 'unban: an admin lifts bob''s ban');
select is((select banned_until from auth.users where id = pg_temp.uid('bob')), null, 'unban: bob is no longer banned');
select is((select after from pg_temp.audit('user.unban', pg_temp.uid('bob'))), '{"banned_until": null, "reason": "appeal"}'::jsonb,
  'unban: the audit row has the reason and the value after');
select ok((select before ->> 'banned_until' is not null and actor_id = pg_temp.uid('admin') from pg_temp.audit('user.unban', pg_temp.uid('bob'))),
  'unban: the audit row has the ban before and the actor');
select is(pg_temp.unban_as('admin', 'bob'), 'unchanged', 'unban: a user who is not banned is unchanged');
select is(pg_temp.audit_count('user.unban'), 1, 'unban: no second audit row for nothing');

-- ---------------------------------------------------------------------------------------------------
-- Roles
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.role_as(who text, target text, wanted public.app_role) returns text language plpgsql as $$
declare
  state text;
begin
  perform pg_temp.act_as(who);
  begin
    select coalesce(previous_role::text, '-') || '>' || coalesce(new_role::text, '-') || case when changed then '' else ' (unchanged)' end
    into state from private.admin_set_role(pg_temp.uid(target), wanted, 'promotion');
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;

select is(pg_temp.role_as('alice', 'carol', 'admin'), '42501 forbidden', 'set_role: a user is refused');
select is(pg_temp.role_as('support', 'carol', 'support'), '42501 forbidden', 'set_role: support is refused');
select is(pg_temp.role_as('nofactor', 'carol', 'support'), 'AAL01 mfa_enrolment_required', 'set_role: an admin without a factor is refused');
select is(pg_temp.role_as('aal1', 'carol', 'support'), 'AAL02 mfa_required', 'set_role: an aal1 admin is refused');
select is(pg_temp.role_as('admin', 'admin', 'user'), 'ADM01 You cannot change your own role', 'set_role: not one''s own role');
select is(pg_temp.role_as('admin', 'carol', 'support'), 'user>support', 'set_role: an admin makes carol support');
select is(pg_temp.role_as('admin', 'carol', 'support'), 'support>support (unchanged)', 'set_role: the same role again changes nothing');
select is(pg_temp.role_as('admin', 'carol', null), 'support>-', 'set_role: an admin removes carol''s role row');
select is((select count(*)::int from public.user_roles where user_id = pg_temp.uid('carol')), 0, 'set_role: carol has no role row');
select is(pg_temp.role_as('admin', 'carol', null), '->- (unchanged)', 'set_role: removing a missing row changes nothing');
select results_eq(
  $$select actor_id, before, after from pg_temp.audit('role.assign', pg_temp.uid('carol'))
    union all select actor_id, before, after from pg_temp.audit('role.remove', pg_temp.uid('carol'))$$,
  $$values (pg_temp.uid('admin'), '{"role": "user"}'::jsonb, '{"role": "support", "reason": "promotion"}'::jsonb),
           (pg_temp.uid('admin'), '{"role": "support"}'::jsonb, '{"role": null, "reason": "promotion"}'::jsonb)$$,
  'set_role: one audit row per change, with before, after and the reason');
select is(pg_temp.role_as('admin', 'boss', 'support'), 'admin>support', 'set_role: an admin demotes another admin');
select pg_temp.act_as('boss');
select ok(not private.authorize('roles.assign'), 'set_role: the demoted admin loses roles.assign on the next statement');
reset role;
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('boss');
select pg_temp.act_as('admin');
select throws_ok($$select * from private.admin_set_role(gen_random_uuid(), 'support')$$, 'P0002', 'No such user',
  'set_role: an unknown user is P0002');
-- Straight through the table (the policies allow an aal2 admin): the guard trigger still applies.
select throws_ok($$update public.user_roles set role = 'user' where user_id = pg_temp.uid('admin')$$, 'ADM01',
  'You cannot change your own role', 'user_roles_guard: an admin cannot demote themselves through the table');
select throws_ok($$delete from public.user_roles where user_id = pg_temp.uid('admin')$$, 'ADM01',
  'You cannot change your own role', 'user_roles_guard: an admin cannot delete their own role row');
reset role;

-- The last admin. With every other admin gone, support is given roles.assign and users.delete for this test
-- (rolled back) and an AAL2 session: the rule is Postgres's, whoever asks.
-- Every other admin of the database too (rolled back with the test).
update public.user_roles set role = 'user' where role = 'admin' and user_id <> pg_temp.uid('admin');
select is((select count(*)::int from public.user_roles where role = 'admin'), 1, 'last admin: admin is the only admin now');
insert into public.role_permissions (role, permission) values ('support', 'roles.assign'), ('support', 'users.delete');
select pg_temp.verify_mfa('support') is not null as ok \gset
select is(pg_temp.role_as('support', 'admin', 'user'), 'ADM02 This user is the last admin', 'last admin: cannot be demoted');
select is(pg_temp.role_as('support', 'admin', null), 'ADM02 This user is the last admin', 'last admin: their role cannot be removed');
select pg_temp.act_as('support');
select throws_ok($$update public.user_roles set role = 'support' where user_id = pg_temp.uid('admin')$$, 'ADM02',
  'This user is the last admin', 'last admin: not through the table either');
select throws_ok($$select private.admin_request_user_deletion(pg_temp.uid('admin'), 'admin@rls.test')$$, 'ADM02',
  'This user is the last admin', 'last admin: a deletion is refused before the Auth server is asked');
reset role;
-- A deletion the account's owner asked for (the account deletion flow) is refused in the Auth server's delete.
insert into private.account_deletion_requests (user_id, session_id) values (pg_temp.uid('admin'), pg_temp.sid('admin'));
select throws_ok($$delete from auth.users where id = pg_temp.uid('admin')$$, 'ADM02', 'This user is the last admin',
  'last admin: their own account deletion is refused in the Auth server''s delete');
delete from private.account_deletion_requests where user_id = pg_temp.uid('admin');
-- A banned admin does not count: banning boss while admin is the only other one leaves one who can act.
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('banned');
select is(pg_temp.role_as('support', 'admin', 'user'), 'ADM02 This user is the last admin', 'last admin: a banned admin does not count');
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('boss');
select is(pg_temp.role_as('support', 'admin', 'support'), 'admin>support', 'last admin: with another admin, demotion is allowed');
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('admin');
delete from public.role_permissions where role = 'support' and permission in ('roles.assign', 'users.delete');
update public.user_roles set role = 'admin' where user_id in (pg_temp.uid('nofactor'), pg_temp.uid('aal1'));

-- ---------------------------------------------------------------------------------------------------
-- Sessions
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.end_as(who text, target text, sid uuid) returns text language plpgsql as $$
declare
  state text := 'ok';
begin
  perform pg_temp.act_as(who);
  begin
    perform private.admin_end_user_session(pg_temp.uid(target), sid);
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;
select is(pg_temp.end_as('support', 'alice', pg_temp.sid('alice')), '42501 forbidden', 'end session: support is refused');
select is(pg_temp.end_as('aal1', 'alice', pg_temp.sid('alice')), 'AAL02 mfa_required', 'end session: an aal1 admin is refused');
select is(pg_temp.end_as('admin', 'alice', pg_temp.sid('bob')), 'P0002 No such session', 'end session: another user''s session is not found');
select is(pg_temp.end_as('admin', 'admin', pg_temp.sid('admin')), 'ADM01 You cannot end your own sessions here: use your devices page',
  'end session: not one''s own');
select is(pg_temp.end_as('admin', 'alice', '00000000-0000-4000-8000-00000000a11c'), 'ok', 'end session: an admin ends one of alice''s sessions');
select is(array(select id from auth.sessions where user_id = pg_temp.uid('alice')), array[pg_temp.sid('alice')],
  'end session: alice keeps her other session');
select ok((select before ->> 'session_id' = '00000000-0000-4000-8000-00000000a11c' and after = '{"sessions_ended": 1}'
           and actor_id = pg_temp.uid('admin') from pg_temp.audit('session.end', pg_temp.uid('alice'))),
  'end session: the audit row names the session before and the actor');

select pg_temp.act_as('support');
select throws_ok($$select private.admin_revoke_sessions(pg_temp.uid('alice'))$$, '42501', 'forbidden', 'revoke sessions: support is refused');
reset role;
select pg_temp.act_as('nofactor');
select throws_ok($$select private.admin_revoke_sessions(pg_temp.uid('alice'))$$, 'AAL01', null, 'revoke sessions: an admin without a factor is refused');
reset role;
select pg_temp.act_as('admin');
select throws_ok($$select private.admin_revoke_sessions(pg_temp.uid('admin'))$$, 'ADM01', null, 'revoke sessions: not one''s own');
select is(private.admin_revoke_sessions(pg_temp.uid('alice'), 'stolen laptop'), 1, 'revoke sessions: an admin ends all of alice''s sessions');
reset role;
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('alice')), 0, 'revoke sessions: alice has none left');
select is((select after from pg_temp.audit('sessions.revoke', pg_temp.uid('alice'))),
  '{"sessions": 0, "sessions_revoked": 1, "reason": "stolen laptop"}'::jsonb, 'revoke sessions: the audit row has after and the reason');

-- ---------------------------------------------------------------------------------------------------
-- Create a user: the request, then the Auth server's insert
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.request_creation_as(who text, email text, role public.app_role default 'support') returns text language plpgsql as $$
declare
  state text := 'ok';
begin
  perform pg_temp.act_as(who);
  begin
    perform private.admin_request_user_creation(email, 'New Person', role, 'new hire', '198.51.100.7', 'Browser', 'req-create');
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;
select is(pg_temp.request_creation_as('dave', 'new@rls.test'), '42501 forbidden', 'create: a user is refused');
select is(pg_temp.request_creation_as('support', 'new@rls.test'), '42501 forbidden', 'create: support is refused');
select is(pg_temp.request_creation_as('nofactor', 'new@rls.test'), 'AAL01 mfa_enrolment_required', 'create: an admin without a factor is refused');
select is(pg_temp.request_creation_as('admin', 'Bob@RLS.test'), 'ADM04 A user with this email already exists',
  'create: an existing email (any case) is refused');
select is(pg_temp.request_creation_as('admin', 'not an email'), '22023 email: not an email address', 'create: a malformed email is refused');
select is((select count(*)::int from private.admin_user_creations), 0, 'create: the refusals recorded nothing');
select is(pg_temp.request_creation_as('admin', 'New@RLS.test'), 'ok', 'create: an admin records the request');
-- What the Auth server's POST /admin/users does (private.handle_new_user and the admin trigger fire).
insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000e001', 'authenticated', 'authenticated',
        'new@rls.test', '{"full_name": "New Person"}', now(), now());
select is((select role::text from public.user_roles where user_id = '00000000-0000-4000-8000-00000000e001'), 'support',
  'create: the new user has the role asked for');
select is((select display_name from public.profiles where id = '00000000-0000-4000-8000-00000000e001'), 'New Person',
  'create: and the name');
select results_eq(
  $$select actor_id, before, after, ip, user_agent, request_id from pg_temp.audit('user.create', '00000000-0000-4000-8000-00000000e001')$$,
  $$values (pg_temp.uid('admin'), null::jsonb,
            '{"email": "new@rls.test", "display_name": "New Person", "role": "support", "reason": "new hire"}'::jsonb,
            '198.51.100.7', 'Browser', 'req-create')$$,
  'create: the user.create row is written in the Auth server''s insert, in the admin''s name');
select is((select count(*)::int from private.admin_user_creations), 0, 'create: the request is used up');
-- A sign-up without a request, or with one older than 5 minutes, is an ordinary sign-up.
select is(pg_temp.request_creation_as('admin', 'late@rls.test', 'admin'), 'ok', 'create: a second request');
update private.admin_user_creations set requested_at = now() - interval '6 minutes';
insert into auth.users (instance_id, id, aud, role, email, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000e002', 'authenticated', 'authenticated',
        'late@rls.test', now(), now());
select is((select role::text from public.user_roles where user_id = '00000000-0000-4000-8000-00000000e002'), 'user',
  'create: an expired request gives nothing');
select pg_temp.act_as('admin');
select lives_ok($$select private.admin_cancel_user_creation('late@rls.test')$$, 'create: an admin cancels their request');
reset role;
select is((select count(*)::int from private.admin_user_creations), 0, 'create: the cancelled request is gone');

-- ---------------------------------------------------------------------------------------------------
-- Delete a user: the request, then the Auth server's delete
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.request_deletion_as(who text, target text, confirm text) returns text language plpgsql as $$
declare
  state text := 'ok';
begin
  perform pg_temp.act_as(who);
  begin
    perform private.admin_request_user_deletion(pg_temp.uid(target), confirm, 'abuse', '192.0.2.1', 'Browser', 'req-delete');
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;
select is(pg_temp.request_deletion_as('support', 'carol', 'carol@rls.test'), '42501 forbidden', 'delete: support is refused');
select is(pg_temp.request_deletion_as('aal1', 'carol', 'carol@rls.test'), 'AAL02 mfa_required', 'delete: an aal1 admin is refused');
select is(pg_temp.request_deletion_as('admin', 'admin', 'admin@rls.test'), 'ADM01 You cannot delete your own account here',
  'delete: not one''s own account');
select is(pg_temp.request_deletion_as('admin', 'carol', 'bob@rls.test'), 'ADM03 Type the user''s email address to confirm',
  'delete: the confirmation must be the user''s email');
select is(pg_temp.request_deletion_as('admin', 'carol', ' CAROL@rls.TEST '), 'ok', 'delete: the email in any case confirms');
delete from auth.users where id = pg_temp.uid('carol');
select results_eq(
  $$select actor_id, before - 'created_at', after, ip, request_id from pg_temp.audit('user.delete', pg_temp.uid('carol'))$$,
  $$values (pg_temp.uid('admin'), '{"email": "carol@rls.test", "display_name": "Carol", "role": "user", "banned_until": null}'::jsonb,
            '{"deleted": true, "sessions_ended": 1, "reason": "abuse"}'::jsonb, '192.0.2.1', 'req-delete')$$,
  'delete: the user.delete row is written in the Auth server''s delete, with what the user was');
select is((select count(*)::int from private.admin_user_deletions), 0, 'delete: the request went with the user');
-- A deletion nobody asked for through the app (the database owner's maintenance) writes nothing here.
delete from auth.users where id = '00000000-0000-4000-8000-00000000e002';
select is(pg_temp.audit_count('user.delete'), 1, 'delete: a deletion without a request writes no user.delete row');

-- ---------------------------------------------------------------------------------------------------
-- Remove a factor: the request, then the Auth server's delete
-- ---------------------------------------------------------------------------------------------------

create function pg_temp.request_factor_as(who text, target text, factor uuid) returns text language plpgsql as $$
declare
  state text := 'ok';
begin
  perform pg_temp.act_as(who);
  begin
    perform private.admin_request_factor_removal(pg_temp.uid(target), factor, 'lost phone');
  exception when others then
    state := sqlstate || ' ' || sqlerrm;
  end;
  reset role;
  return state;
end
$$;
select is(pg_temp.request_factor_as('support', 'dave', '00000000-0000-4000-8000-0000000fac01'), '42501 forbidden',
  'remove factor: support is refused');
select is(pg_temp.request_factor_as('nofactor', 'dave', '00000000-0000-4000-8000-0000000fac01'), 'AAL01 mfa_enrolment_required',
  'remove factor: an admin without a factor is refused');
select is(pg_temp.request_factor_as('admin', 'bob', '00000000-0000-4000-8000-0000000fac01'), 'P0002 No such factor',
  'remove factor: a factor of another user is not found');
-- A request the Auth server then refused is withdrawn, by its own admin only (20261206100300).
select is(pg_temp.request_factor_as('admin', 'dave', '00000000-0000-4000-8000-0000000fac02'), 'ok', 'remove factor: a request to withdraw');
select pg_temp.act_as('boss');
select lives_ok($$select private.admin_cancel_factor_removal('00000000-0000-4000-8000-0000000fac02')$$, 'cancel: another admin may call it');
reset role;
select is((select count(*)::int from private.admin_factor_removals), 1, 'cancel: but another admin''s request stays');
select pg_temp.act_as('admin');
select lives_ok($$select private.admin_cancel_factor_removal('00000000-0000-4000-8000-0000000fac02')$$, 'cancel: the admin withdraws it');
reset role;
select is((select count(*)::int from private.admin_factor_removals), 0, 'cancel: the factor removal request is gone');
select is(pg_temp.request_deletion_as('admin', 'dave', 'dave@rls.test'), 'ok', 'cancel: a deletion request');
select pg_temp.act_as('boss');
select lives_ok($$select private.admin_cancel_user_deletion(pg_temp.uid('dave'))$$, 'cancel: another admin may call it');
reset role;
select is((select count(*)::int from private.admin_user_deletions), 1, 'cancel: but another admin''s deletion request stays');
select pg_temp.act_as('admin');
select lives_ok($$select private.admin_cancel_user_deletion(pg_temp.uid('dave'))$$, 'cancel: the admin withdraws the deletion');
reset role;
select is((select count(*)::int from private.admin_user_deletions), 0, 'cancel: the deletion request is gone');
select pg_temp.act_as('anon');
select throws_ok($$select private.admin_cancel_user_deletion(pg_temp.uid('dave'))$$, '42501', null, 'cancel: anon may not call it');
reset role;

select is(pg_temp.request_factor_as('admin', 'dave', '00000000-0000-4000-8000-0000000fac01'), 'ok', 'remove factor: an admin records the request');
delete from auth.mfa_factors where id = '00000000-0000-4000-8000-0000000fac01';
select results_eq(
  $$select actor_id, before, after from pg_temp.audit('factor.delete', pg_temp.uid('dave'))$$,
  $$values (pg_temp.uid('admin'),
            '{"factor_id": "00000000-0000-4000-8000-0000000fac01", "factor_type": "totp", "friendly_name": "Old phone", "status": "verified"}'::jsonb,
            '{"factor_id": null, "reason": "lost phone"}'::jsonb)$$,
  'remove factor: the factor.delete row is written in the Auth server''s delete');
delete from auth.mfa_factors where id = '00000000-0000-4000-8000-0000000fac02';
select is(pg_temp.audit_count('factor.delete'), 1, 'remove factor: a removal without a request writes nothing');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace = 'private'::regnamespace
          and p.proname in ('session_mfa_verified', 'assert_admin_write', 'admin_ban_user', 'admin_unban_user', 'admin_set_role',
                            'admin_end_user_session', 'admin_revoke_sessions', 'admin_request_user_creation',
                            'admin_cancel_user_creation', 'admin_request_user_deletion', 'admin_request_factor_removal',
                            'admin_cancel_user_deletion', 'admin_cancel_factor_removal')
          and not (p.prosecdef and has_function_privilege('authenticated', p.oid, 'execute')
                   and not has_function_privilege('anon', p.oid, 'execute')
                   and not has_function_privilege('service_role', p.oid, 'execute'))),
  '{}'::text[],
  'every admin write function is security definer, executable by authenticated and by neither anon nor service_role');
select is(
  array(select p.proname::text from pg_proc p
        where p.pronamespace = 'private'::regnamespace
          and p.proname in ('assert_not_self', 'assert_reason', 'other_active_admin_exists', 'lock_admins', 'user_roles_guard',
                            'admin_audit', 'complete_admin_user_creation', 'record_admin_user_deletion', 'record_admin_factor_removal')
          and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))),
  '{}'::text[],
  'the helpers and trigger functions are not callable by the API roles');
select is(
  array(select c.relname::text from pg_class c
        where c.relnamespace = 'private'::regnamespace
          and c.relname in ('admin_user_creations', 'admin_user_deletions', 'admin_factor_removals')
          and (not c.relrowsecurity or not c.relforcerowsecurity
               or has_table_privilege('authenticated', c.oid, 'select, insert, update, delete'))),
  '{}'::text[],
  'the request tables have forced RLS and no grant to authenticated');
select is((select tgenabled::text from pg_trigger where tgname = 'user_roles_guard'), 'A',
  'user_roles_guard fires always, under session_replication_role = replica too');

select * from finish();
rollback;
