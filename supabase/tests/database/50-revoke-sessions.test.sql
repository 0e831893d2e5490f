-- private.revoke_user_sessions(): who may force-sign-out a user through the data path, what it removes,
-- and that the revoked user's tokens are dead for RLS at once.
begin;
create extension if not exists pgtap with schema extensions;

select plan(25);

-- The shared personas, with carol (a third plain user) and without reused and norole.
\set personas '{alice,bob,carol,support,admin,banned,revoked}'
\ir fixtures/matrix.psql

create function pg_temp.sessions_of(who text) returns int language sql stable
as $$ select count(*)::int from auth.sessions where user_id = pg_temp.uid(who) $$;

-- alice is signed in on a second device too.
insert into auth.sessions (id, user_id, created_at, updated_at, aal)
values ('00000000-0000-4000-8000-00000000a11c', pg_temp.uid('alice'), now(), now(), 'aal1');
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
values ('00000000-0000-0000-0000-000000000000', left(md5('00000000-0000-4000-8000-00000000a11c'), 12),
        pg_temp.uid('alice')::text, false, now(), now(), '00000000-0000-4000-8000-00000000a11c');

-- Who may call it
select pg_temp.act_as('anon');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, '42501', null,
  'anon cannot revoke sessions');
reset role;

select pg_temp.act_as('alice');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, '42501', null,
  'a user cannot revoke another user''s sessions');
reset role;
select is(pg_temp.sessions_of('bob'), 1, 'bob keeps his session after the refused call');

select pg_temp.act_as('banned');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, '42501', null,
  'a banned admin cannot revoke sessions');
reset role;

select pg_temp.act_as('revoked');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, '42501', null,
  'an admin whose own session was revoked cannot revoke sessions');
reset role;

select pg_temp.act_as('support');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, '42501', null,
  'support (read-only, no sessions.revoke) cannot revoke sessions');
reset role;
select is(pg_temp.sessions_of('bob'), 1, 'bob still keeps his session');

-- An admin needs an AAL2 session: without a verified factor, mfa_enrolment_required.
select pg_temp.act_as('admin');
select throws_ok($$select private.revoke_user_sessions(pg_temp.uid('bob'))$$, 'AAL01', null,
  'an admin without a verified factor cannot revoke sessions (AAL01, mfa_enrolment_required)');
reset role;
select is(pg_temp.sessions_of('bob'), 1, 'bob still keeps his session after the aal1 admin''s call');
select pg_temp.verify_mfa('admin') is not null as admin_verified \gset

-- What it removes
select pg_temp.act_as('admin');
select is(private.revoke_user_sessions(pg_temp.uid('bob')), 1, 'an admin (sessions.revoke) revokes bob''s one session');
reset role;
select is(pg_temp.sessions_of('bob'), 0, 'bob has no session left');

select pg_temp.act_as('admin');
select is(private.revoke_user_sessions(pg_temp.uid('alice')), 2, 'an admin revokes both of alice''s sessions');
select is(private.revoke_user_sessions(pg_temp.uid('alice')), 0, 'revoking again removes nothing');
select is(private.revoke_user_sessions(gen_random_uuid()), 0, 'an unknown user has nothing to revoke');
reset role;
select is(pg_temp.sessions_of('alice'), 0, 'alice has no session left');
select is(
  (select count(*)::int from auth.refresh_tokens where user_id = pg_temp.uid('alice')::text),
  0, 'alice''s refresh tokens went with her sessions');
select is(pg_temp.sessions_of('carol'), 1, 'other users keep their sessions');
select is(pg_temp.sessions_of('admin'), 1, 'the caller keeps their session');

-- The revoked users' tokens are dead for RLS at once
select pg_temp.act_as('alice');
select ok(not private.session_is_active(), 'alice''s token no longer passes session_is_active()');
select is((select count(*)::int from public.profiles), 0, 'alice''s token reads no profile any more');
reset role;

-- Revocation and its audit row share one transaction
select pg_temp.act_as('admin');
select lives_ok($$
  with revoked as (select private.revoke_user_sessions(pg_temp.uid('carol')) as n)
  insert into public.audit_events (actor_id, action, target_user_id, after)
  select pg_temp.uid('admin'), 'sessions.revoke', pg_temp.uid('carol'), jsonb_build_object('sessions_revoked', n) from revoked
$$, 'an admin revokes carol''s sessions and records it in one statement');
reset role;
select is(pg_temp.sessions_of('carol'), 0, 'carol has no session left');

-- Structure
select ok((select prosecdef from pg_proc where oid = 'private.revoke_user_sessions(uuid)'::regprocedure),
  'revoke_user_sessions is security definer');
select ok(has_function_privilege('authenticated', 'private.revoke_user_sessions(uuid)', 'execute'),
  'authenticated may execute revoke_user_sessions');
select ok(not has_function_privilege('anon', 'private.revoke_user_sessions(uuid)', 'execute')
      and not has_function_privilege('service_role', 'private.revoke_user_sessions(uuid)', 'execute'),
  'anon and service_role may not execute revoke_user_sessions');

select * from finish();
rollback;
