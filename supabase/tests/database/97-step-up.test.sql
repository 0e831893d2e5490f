-- Step-up: private.assert_step_up(), private.my_step_up(), and the step-up check of
-- private.end_my_other_sessions(). With a verified factor the session must be AAL2; without one it must carry
-- a first-factor sign-in at most 10 minutes old. Dead sessions and other users' sessions are refused first.
begin;
create extension if not exists pgtap with schema extensions;

select plan(40);

\set personas '{alice,bob,carol,dave,banned,revoked,reused}'
\ir fixtures/matrix.psql

-- The persona's claims with another session id as the token's session_id.
create function pg_temp.act_in_session(who text, sid uuid) returns void language plpgsql as $$
begin
  perform set_config('request.jwt.claims', json_build_object(
    'sub', pg_temp.uid(who), 'role', 'authenticated', 'session_id', sid, 'aud', 'authenticated')::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

-- When the session's sign-in happened (the amr entry's updated_at, as the Auth server writes it).
create function pg_temp.signed_in(sid uuid, ago interval, method text default 'oauth') returns void language sql as $$
  insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
  values (sid, now() - ago, now() - ago, method, gen_random_uuid())
  on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey
  do update set created_at = excluded.created_at, updated_at = excluded.updated_at;
$$;

create function pg_temp.add_session(who text, sid uuid) returns void language sql as $$
  insert into auth.sessions (id, user_id, created_at, updated_at, aal) values (sid, pg_temp.uid(who), now(), now(), 'aal1');
  insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
  values ('00000000-0000-0000-0000-000000000000', left(md5(sid::text), 12), pg_temp.uid(who)::text, false, now(), now(), sid);
$$;

-- The SQLSTATE and DETAIL that assert_step_up() raises as the current role, or 'ok'.
create function pg_temp.step_up_outcome() returns text language plpgsql as $$
declare
  state text;
  detail text;
begin
  perform private.assert_step_up();
  return 'ok';
exception when others then
  get stacked diagnostics state = returned_sqlstate, detail = pg_exception_detail;
  return state || coalesce(':' || nullif(detail, ''), '');
end
$$;
grant execute on function pg_temp.step_up_outcome() to public;

create function pg_temp.add_factor(who text, status text) returns void language sql as $$
  insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
  values (gen_random_uuid(), pg_temp.uid(who), 'Phone app ' || status, 'totp', status::auth.factor_status, now(), now(), 'JBSWY3DPEHPK3PXP');
$$;

-- ---------------------------------------------------------------------------------------------------
-- Who may call them
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select private.assert_step_up()$$, '42501', null, 'anon cannot call assert_step_up');
select throws_ok($$select * from private.my_step_up()$$, '42501', null, 'anon cannot call my_step_up');
reset role;
select pg_temp.act_as('alice');
select throws_ok(format('select * from private.step_up_state(%L, %L)', pg_temp.uid('bob'), pg_temp.sid('bob')), '42501', null,
  'authenticated cannot probe another user''s session through step_up_state');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Without a factor: a sign-in at most 10 minutes old
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'ok', 'no factor: a session signed in just now (Google) passes');
select results_eq($$select required, satisfied, valid_until from private.my_step_up()$$,
  $$values ('recent_sign_in'::text, true, now() + interval '10 minutes')$$,
  'my_step_up: a recent sign-in is required, this session has it, until 10 minutes after the sign-in');
reset role;

select pg_temp.signed_in(pg_temp.sid('alice'), interval '9 minutes 59 seconds');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'ok', 'no factor: a sign-in 9 min 59 s ago passes');
reset role;

select pg_temp.signed_in(pg_temp.sid('alice'), interval '10 minutes 1 second');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'no factor: a sign-in 10 min 1 s ago is stale: SU001, sign in again');
select throws_ok($$select private.assert_step_up()$$, 'SU001', 'step_up_required', 'the error''s message is step_up_required');
select results_eq($$select required, satisfied from private.my_step_up()$$, $$values ('recent_sign_in'::text, false)$$,
  'my_step_up: not satisfied');
reset role;

select pg_temp.signed_in(pg_temp.sid('alice'), interval '2 hours');
select pg_temp.signed_in(pg_temp.sid('alice'), interval '1 minute', 'token_refresh');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'no factor: a token refresh a minute ago is no sign-in');
reset role;
select pg_temp.signed_in(pg_temp.sid('alice'), interval '1 minute', 'totp');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'no factor: a second-factor entry is no first-factor sign-in');
reset role;
select pg_temp.signed_in(pg_temp.sid('alice'), interval '1 minute', 'anonymous');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'no factor: an anonymous sign-in does not count');
reset role;
select pg_temp.signed_in(pg_temp.sid('alice'), interval '1 minute', 'password');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'ok', 'no factor: a password sign-in a minute ago counts');
reset role;

-- A fresh sign-in on another of her sessions does not make this one fresh.
delete from auth.mfa_amr_claims where session_id = pg_temp.sid('alice');
select pg_temp.signed_in(pg_temp.sid('alice'), interval '1 hour');
select pg_temp.add_session('alice', '00000000-0000-4000-8000-00000000a1f1');
select pg_temp.signed_in('00000000-0000-4000-8000-00000000a1f1', interval '1 minute');
select pg_temp.act_as('alice');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'a stale session stays stale when another session of the user is fresh');
reset role;
select pg_temp.act_in_session('alice', '00000000-0000-4000-8000-00000000a1f1');
select is(pg_temp.step_up_outcome(), 'ok', 'the fresh session itself passes');
reset role;

-- A session without any amr entry.
delete from auth.mfa_amr_claims where session_id = pg_temp.sid('carol');
select pg_temp.act_as('carol');
select is(pg_temp.step_up_outcome(), 'SU001:recent_sign_in', 'a session with no recorded sign-in is refused');
select results_eq($$select required, satisfied, valid_until from private.my_step_up()$$,
  $$values ('recent_sign_in'::text, false, null::timestamptz)$$, 'my_step_up: no sign-in time, no validity');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- With a verified factor: AAL2
-- ---------------------------------------------------------------------------------------------------

select pg_temp.add_factor('bob', 'unverified');
select pg_temp.act_as('bob');
select is(pg_temp.step_up_outcome(), 'ok', 'an unverified factor does not count: the recent sign-in rule applies');
reset role;

select pg_temp.add_factor('bob', 'verified');
select pg_temp.act_as('bob');
select is(pg_temp.step_up_outcome(), 'SU001:aal2', 'verified factor: an aal1 session is refused although its sign-in is fresh');
select results_eq($$select required, satisfied, valid_until from private.my_step_up()$$,
  $$values ('aal2'::text, false, null::timestamptz)$$, 'my_step_up: aal2 is required, not satisfied');
reset role;

update auth.sessions set aal = 'aal2' where id = pg_temp.sid('bob');
select pg_temp.signed_in(pg_temp.sid('bob'), interval '3 hours');
select pg_temp.signed_in(pg_temp.sid('bob'), interval '3 hours', 'totp');
select pg_temp.act_as('bob');
select is(pg_temp.step_up_outcome(), 'ok', 'verified factor: an aal2 session passes, however old its sign-in');
select results_eq($$select required, satisfied from private.my_step_up()$$, $$values ('aal2'::text, true)$$, 'my_step_up: satisfied');
reset role;

update auth.sessions set aal = 'aal3' where id = pg_temp.sid('bob');
select pg_temp.act_as('bob');
select is(pg_temp.step_up_outcome(), 'ok', 'verified factor: aal3 passes too');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Dead sessions and other users' sessions: refused before the rule
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_in_session('dave', pg_temp.sid('alice'));
select is(pg_temp.step_up_outcome(), '42501', 'a token naming another user''s (fresh) session is refused');
select is((select count(*)::int from private.my_step_up()), 0, 'and my_step_up returns nothing');
reset role;
select pg_temp.act_in_session('dave', '00000000-0000-4000-8000-00000000a1f1');
select is(pg_temp.step_up_outcome(), '42501', 'so is one naming another user''s other session');
reset role;
select pg_temp.act_as('revoked');
select is(pg_temp.step_up_outcome(), '42501', 'a deleted (signed-out, ended) session is refused');
select is((select count(*)::int from private.my_step_up()), 0, 'my_step_up: nothing for a deleted session');
reset role;
select pg_temp.act_as('reused');
select is(pg_temp.step_up_outcome(), '42501', 'a session whose refresh tokens were revoked is refused although its sign-in is fresh');
reset role;
select pg_temp.act_as('banned');
select is(pg_temp.step_up_outcome(), '42501', 'a banned user is refused although the session is fresh');
reset role;
select pg_temp.act_in_session('dave', gen_random_uuid());
select is(pg_temp.step_up_outcome(), '42501', 'an unknown session id is refused');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- end_my_other_sessions() asks for step-up
-- ---------------------------------------------------------------------------------------------------

select pg_temp.add_session('dave', '00000000-0000-4000-8000-00000000d0f1');
select pg_temp.signed_in(pg_temp.sid('dave'), interval '11 minutes');
select count(*)::int as audit_before from public.audit_events where target_user_id = pg_temp.uid('dave') \gset
select pg_temp.act_as('dave');
select throws_ok($$select private.end_my_other_sessions()$$, 'SU001', 'step_up_required', 'end others: a stale session is refused');
reset role;
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('dave')), 2, 'end others: nothing was ended');
select is((select count(*)::int from public.audit_events where target_user_id = pg_temp.uid('dave')), :audit_before,
  'end others: no audit row for the refused call');

select pg_temp.signed_in(pg_temp.sid('dave'), interval '30 seconds');
select pg_temp.act_as('dave');
select is(private.end_my_other_sessions(), 1, 'end others: after a fresh sign-in, the other session ends');
reset role;
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('dave')), 1, 'end others: one session left');

select pg_temp.add_session('bob', '00000000-0000-4000-8000-00000000b0f1');
update auth.sessions set aal = 'aal1' where id = pg_temp.sid('bob');
select pg_temp.act_as('bob');
select throws_ok($$select private.end_my_other_sessions()$$, 'SU001', 'step_up_required', 'end others: verified factor, aal1 session: refused');
reset role;
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('bob')), 2, 'end others: bob kept both sessions');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select ok(
  (select bool_and(prosecdef) from pg_proc
   where oid in ('private.step_up_state(uuid, uuid)'::regprocedure, 'private.my_step_up()'::regprocedure,
                 'private.assert_step_up()'::regprocedure)),
  'the three functions are security definer');
select ok(
  has_function_privilege('authenticated', 'private.my_step_up()', 'execute')
  and has_function_privilege('authenticated', 'private.assert_step_up()', 'execute')
  and not has_function_privilege('authenticated', 'private.step_up_state(uuid, uuid)', 'execute')
  and not has_function_privilege('anon', 'private.assert_step_up()', 'execute')
  and not has_function_privilege('service_role', 'private.assert_step_up()', 'execute')
  and not has_function_privilege('service_role', 'private.step_up_state(uuid, uuid)', 'execute'),
  'authenticated may run my_step_up and assert_step_up, nobody else; no API role may run step_up_state');

select * from finish();
rollback;
