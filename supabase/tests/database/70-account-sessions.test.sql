-- Devices and sessions: private.list_my_sessions(), private.end_my_session(), private.end_my_other_sessions().
-- A user sees and ends only their own sessions; another user's session id behaves like an unknown one; an
-- ended session is dead for the revocation rules at once; each end writes one audit row, and nothing else.
begin;
create extension if not exists pgtap with schema extensions;

select plan(56);

-- The shared personas, with carol (a third plain user) and without support, admin and norole.
\set personas '{alice,bob,carol,banned,revoked,reused}'
\ir fixtures/matrix.psql

-- The persona's claims with another of their sessions as the token's session_id.
create function pg_temp.act_in_session(who text, sid uuid) returns void language plpgsql as $$
begin
  perform set_config('request.jwt.claims', json_build_object(
    'sub', pg_temp.uid(who), 'role', 'authenticated', 'session_id', sid, 'aud', 'authenticated')::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

create function pg_temp.add_session(who text, sid uuid, token_revoked boolean default false) returns void language sql as $$
  insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
  values (sid, pg_temp.uid(who), now() - interval '2 days', now() - interval '2 days', 'aal1',
          'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', '198.51.100.20');
  insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
  values ('00000000-0000-0000-0000-000000000000', left(md5(sid::text), 12), pg_temp.uid(who)::text, token_revoked,
          now(), now(), sid);
$$;

create function pg_temp.session_exists(sid uuid) returns boolean language sql stable
as $$ select exists (select 1 from auth.sessions where id = sid) $$;

create function pg_temp.audit_rows_about(who text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where target_user_id = pg_temp.uid(who) $$;

-- alice: the current session (from the fixtures), a laptop refreshed an hour ago, a phone whose refresh
-- tokens were all revoked (reuse detection), a tablet past not_after. bob: his own session and a laptop.
select pg_temp.add_session('alice', '00000000-0000-4000-8000-0000000a1a01');
update auth.sessions
set refreshed_at = (now() - interval '1 hour') at time zone 'UTC', updated_at = now() - interval '3 hours',
    aal = 'aal2', user_agent = 'Laptop UA', ip = '203.0.113.50'
where id = '00000000-0000-4000-8000-0000000a1a01';
select pg_temp.add_session('alice', '00000000-0000-4000-8000-0000000a1a02', true);
select pg_temp.add_session('alice', '00000000-0000-4000-8000-0000000a1a03');
update auth.sessions set not_after = now() - interval '1 minute' where id = '00000000-0000-4000-8000-0000000a1a03';
select pg_temp.add_session('bob', '00000000-0000-4000-8000-000000000b01');
update auth.sessions set user_agent = 'Bob UA', ip = '192.0.2.77' where id = pg_temp.sid('bob');

-- ---------------------------------------------------------------------------------------------------
-- Who may call them
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from private.list_my_sessions()$$, '42501', null, 'anon cannot list sessions');
select throws_ok($$select private.end_my_session(pg_temp.sid('alice'))$$, '42501', null, 'anon cannot end a session');
select throws_ok($$select private.end_my_other_sessions()$$, '42501', null, 'anon cannot end other sessions');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- list_my_sessions(): own, active sessions only
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select results_eq(
  $$select id, is_current from private.list_my_sessions()$$,
  $$values (pg_temp.sid('alice'), true), ('00000000-0000-4000-8000-0000000a1a01'::uuid, false)$$,
  'list: alice sees her current session and her laptop, most recently active first'
);
select is(
  (select row(user_agent, ip, aal)::text from private.list_my_sessions() where id = '00000000-0000-4000-8000-0000000a1a01'),
  row('Laptop UA', '203.0.113.50', 'aal2')::text,
  'list: user agent, ip (as text) and aal of the session'
);
select is(
  (select last_active_at from private.list_my_sessions() where id = '00000000-0000-4000-8000-0000000a1a01'),
  now() - interval '1 hour',
  'list: last active is refreshed_at (UTC) when it is later than updated_at'
);
select is(
  (select created_at from private.list_my_sessions() where id = '00000000-0000-4000-8000-0000000a1a01'),
  now() - interval '2 days',
  'list: created is the session''s created_at'
);
select ok(
  not exists (select 1 from private.list_my_sessions() where id in ('00000000-0000-4000-8000-0000000a1a02', '00000000-0000-4000-8000-0000000a1a03')),
  'list: sessions dead under the revocation rules (refresh tokens revoked, past not_after) are not listed'
);
select ok(not exists (select 1 from private.list_my_sessions() where id in (pg_temp.sid('bob'), '00000000-0000-4000-8000-000000000b01')),
  'list: alice sees none of bob''s sessions');
reset role;

update auth.sessions set refreshed_at = (now() - interval '5 hours') at time zone 'UTC', updated_at = now() - interval '30 minutes'
where id = '00000000-0000-4000-8000-0000000a1a01';
select pg_temp.act_as('alice');
select is(
  (select last_active_at from private.list_my_sessions() where id = '00000000-0000-4000-8000-0000000a1a01'),
  now() - interval '30 minutes',
  'list: last active is updated_at when it is later than refreshed_at'
);
reset role;

select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-0000000a1a01');
select results_eq(
  $$select id from private.list_my_sessions() where is_current$$,
  $$values ('00000000-0000-4000-8000-0000000a1a01'::uuid)$$,
  'list: the current session is the token''s session_id, whichever device asks'
);
reset role;

select pg_temp.act_as('bob');
select set_eq(
  $$select id from private.list_my_sessions()$$,
  $$values (pg_temp.sid('bob')), ('00000000-0000-4000-8000-000000000b01'::uuid)$$,
  'list: bob sees his own two sessions and none of alice''s'
);
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from private.list_my_sessions()), 0, 'list: a banned user lists nothing');
reset role;
select pg_temp.act_as('revoked');
select is((select count(*)::int from private.list_my_sessions()), 0, 'list: a user whose session was deleted lists nothing');
reset role;
select pg_temp.act_as('reused');
select is((select count(*)::int from private.list_my_sessions()), 0, 'list: a session whose refresh tokens were revoked lists nothing');
reset role;
select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-0000000a1a02');
select is((select count(*)::int from private.list_my_sessions()), 0,
  'list: alice''s token from a dead session lists nothing, although her other sessions are active');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- end_my_session(): own sessions only, never the current one
-- ---------------------------------------------------------------------------------------------------

select pg_temp.audit_rows_about('alice') as alice_audit \gset
select pg_temp.audit_rows_about('bob') as bob_audit \gset

select pg_temp.act_as('alice');
select is(private.end_my_session(pg_temp.sid('bob')), false, 'end: ending bob''s session answers as for an unknown id');
select is(private.end_my_session('00000000-0000-4000-8000-000000000b01'), false, 'end: so does bob''s other session');
select is(private.end_my_session(gen_random_uuid()), false, 'end: an unknown id ends nothing');
select is(private.end_my_session(null), false, 'end: a null id ends nothing');
select throws_ok($$select private.end_my_session(pg_temp.sid('alice'))$$, '22023', 'current_session',
  'end: the current session is not ended here (sign out instead)');
reset role;
select ok(pg_temp.session_exists(pg_temp.sid('bob')) and pg_temp.session_exists('00000000-0000-4000-8000-000000000b01'),
  'end: bob keeps both sessions');
select is(pg_temp.audit_rows_about('bob'), :bob_audit, 'end: no audit row about bob was written');
select is(pg_temp.audit_rows_about('alice'), :alice_audit, 'end: no audit row for the refused or empty attempts');
select pg_temp.act_as('bob');
select ok(private.session_is_active(), 'end: bob''s token is still active');
reset role;

select pg_temp.act_as('alice');
select is(
  private.end_my_session('00000000-0000-4000-8000-0000000a1a01', '203.0.113.9', 'Mozilla/5.0 (ending)', 'req-end-1'),
  true, 'end: alice ends her laptop session');
select is(private.end_my_session('00000000-0000-4000-8000-0000000a1a01'), false, 'end: ending it again ends nothing');
reset role;
select ok(not pg_temp.session_exists('00000000-0000-4000-8000-0000000a1a01'), 'end: the session row is gone');
select is((select count(*)::int from auth.refresh_tokens where session_id = '00000000-0000-4000-8000-0000000a1a01'), 0,
  'end: its refresh tokens went with it');
select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-0000000a1a01');
select ok(not private.session_is_active(), 'end: the ended session''s access token no longer passes session_is_active()');
select is((select count(*)::int from public.profiles), 0, 'end: and reads nothing through RLS');
reset role;
select pg_temp.act_as('alice');
select ok(private.session_is_active(), 'end: alice''s current session is still active');
reset role;

select is(pg_temp.audit_rows_about('alice'), :alice_audit + 1, 'end: exactly one audit row for the one session ended');
select results_eq(
  $$select actor_id, action, target_user_id, host(ip), user_agent, request_id, before, after
    from public.audit_events where target_user_id = pg_temp.uid('alice') and action = 'session.end'$$,
  $$values (pg_temp.uid('alice'), 'session.end', pg_temp.uid('alice'), '203.0.113.9', 'Mozilla/5.0 (ending)', 'req-end-1',
            null::jsonb, jsonb_build_object('session_id', '00000000-0000-4000-8000-0000000a1a01'))$$,
  'end: the audit row names the actor, the request and the ended session id, nothing of the ended session''s device'
);

select pg_temp.act_as('revoked');
select throws_ok(format('select private.end_my_session(%L)', pg_temp.sid('alice')), '42501', null,
  'end: a user whose own session was deleted cannot end sessions');
reset role;
select pg_temp.act_as('banned');
select throws_ok(format('select private.end_my_session(%L)', pg_temp.sid('alice')), '42501', null, 'end: a banned user cannot end sessions');
reset role;
select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-0000000a1a02');
select throws_ok($$select private.end_my_session('00000000-0000-4000-8000-0000000a1a03')$$, '42501', null,
  'end: a token from a dead session cannot end the user''s other sessions');
reset role;
select ok(pg_temp.session_exists(pg_temp.sid('alice')), 'end: alice''s current session survived every refused call');

-- ---------------------------------------------------------------------------------------------------
-- end_my_other_sessions(): every other session of the caller, no one else's
-- ---------------------------------------------------------------------------------------------------

select pg_temp.add_session('alice', '00000000-0000-4000-8000-0000000a1a04');
select pg_temp.audit_rows_about('alice') as alice_audit \gset
select count(*)::int as sessions_total from auth.sessions \gset

select pg_temp.act_as('alice');
select is(private.end_my_other_sessions('203.0.113.9', 'Mozilla/5.0 (ending)', 'req-end-2'), 3,
  'end others: alice ends her three other sessions (one active, two already dead)');
select results_eq($$select id from private.list_my_sessions()$$, $$values (pg_temp.sid('alice'))$$,
  'end others: only the current session is left in her list');
select ok(private.session_is_active(), 'end others: the current session is still active');
select is(private.end_my_other_sessions(), 0, 'end others: again, nothing is left to end');
reset role;
select is((select count(*)::int from auth.sessions), :sessions_total - 3, 'end others: exactly three sessions were deleted');
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('alice')), 1, 'end others: alice has one session left');
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('bob')), 2, 'end others: bob keeps his sessions');
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('carol')), 1, 'end others: carol keeps hers');
select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-0000000a1a04');
select ok(not private.session_is_active(), 'end others: an ended session''s token is dead at once');
reset role;

select is(pg_temp.audit_rows_about('alice'), :alice_audit + 1, 'end others: one audit row, none for the call that ended nothing');
select results_eq(
  $$select actor_id, action, host(ip), user_agent, request_id, after
    from public.audit_events where target_user_id = pg_temp.uid('alice') and action = 'sessions.end_others'$$,
  $$values (pg_temp.uid('alice'), 'sessions.end_others', '203.0.113.9', 'Mozilla/5.0 (ending)', 'req-end-2',
            jsonb_build_object('sessions_ended', 3, 'kept_session_id', pg_temp.sid('alice')))$$,
  'end others: the audit row counts the sessions and names the one kept'
);

select pg_temp.act_as('reused');
select throws_ok($$select private.end_my_other_sessions()$$, '42501', null,
  'end others: a session whose refresh tokens were revoked cannot end the others');
reset role;
select pg_temp.act_as('banned');
select throws_ok($$select private.end_my_other_sessions()$$, '42501', null, 'end others: a banned user cannot');
reset role;

select pg_temp.act_as('bob');
select is(private.end_my_other_sessions(), 1, 'end others: bob ends his own other session');
reset role;
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('alice')), 1, 'end others: bob''s call left alice alone');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select ok(
  (select bool_and(prosecdef) from pg_proc
   where oid in ('private.list_my_sessions()'::regprocedure, 'private.end_my_session(uuid, inet, text, text)'::regprocedure,
                 'private.end_my_other_sessions(inet, text, text)'::regprocedure)),
  'the three functions are security definer');
select ok(
  has_function_privilege('authenticated', 'private.list_my_sessions()', 'execute')
  and has_function_privilege('authenticated', 'private.end_my_session(uuid, inet, text, text)', 'execute')
  and has_function_privilege('authenticated', 'private.end_my_other_sessions(inet, text, text)', 'execute'),
  'authenticated may execute them');
select ok(
  not has_function_privilege('anon', 'private.list_my_sessions()', 'execute')
  and not has_function_privilege('anon', 'private.end_my_session(uuid, inet, text, text)', 'execute')
  and not has_function_privilege('anon', 'private.end_my_other_sessions(inet, text, text)', 'execute')
  and not has_function_privilege('service_role', 'private.list_my_sessions()', 'execute')
  and not has_function_privilege('service_role', 'private.end_my_session(uuid, inet, text, text)', 'execute')
  and not has_function_privilege('service_role', 'private.end_my_other_sessions(inet, text, text)', 'execute'),
  'anon and service_role may not execute them');

select * from finish();
rollback;
