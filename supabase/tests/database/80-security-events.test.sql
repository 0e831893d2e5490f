-- Security activity: private.list_my_security_events(). A user sees only the security events about their own
-- account, from the Auth server's log and the app's; anon and dead sessions see nothing; keyset pagination
-- returns each event exactly once, ties on the timestamp included.
begin;
create extension if not exists pgtap with schema extensions;

select plan(31);

-- The shared personas, without support and norole.
\set personas '{alice,bob,admin,banned,revoked,reused}'
\ir fixtures/matrix.psql

-- One entry of the Auth server's log in its payload shape (stack/auth/db/audit.ts, the contract's 16).
create function pg_temp.auth_entry(who text, action text, at timestamptz, traits jsonb default null, ip text default '')
returns uuid language plpgsql as $$
declare
  entry uuid := gen_random_uuid();
begin
  insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
  values ('00000000-0000-0000-0000-000000000000', entry,
          (jsonb_build_object('action', action, 'actor_id', pg_temp.uid(who), 'actor_username', who || '@rls.test',
                              'actor_via_sso', false, 'log_type', 'account')
           || case when traits is null then '{}'::jsonb else jsonb_build_object('traits', traits) end)::json,
          at, ip);
  return entry;
end
$$;

create function pg_temp.add_session(who text, at timestamptz, ua text, ip inet) returns uuid language plpgsql as $$
declare
  sid uuid := gen_random_uuid();
begin
  insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
  values (sid, pg_temp.uid(who), at, at, 'aal1', ua, ip);
  return sid;
end
$$;

-- alice's history, oldest first. t is an hour ago; the Auth server's entries are minutes apart.
select now() - interval '1 hour' as t \gset
-- A Google sign-in: the callback's entry, then the session start 300 ms later, with the session it created.
select pg_temp.auth_entry('alice', 'user_signedup', :'t'::timestamptz, '{"provider": "google"}') as ignored \gset
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '0.2 seconds', '{"provider": "google"}') as ignored \gset
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '0.5 seconds', '{"provider_type": "google"}') as google_login \gset
select pg_temp.add_session('alice', :'t'::timestamptz + interval '0.4 seconds', 'Chrome on a laptop', '203.0.113.10') as laptop \gset
select pg_temp.auth_entry('alice', 'token_refreshed', :'t'::timestamptz + interval '1 minute') as ignored \gset
select pg_temp.auth_entry('alice', 'token_revoked', :'t'::timestamptz + interval '1 minute') as ignored \gset
-- An old tablet session, ended below by alice.
select pg_temp.add_session('alice', now() - interval '30 days', 'Old tablet', '198.51.100.99') as tablet \gset
-- A password sign-in whose session is gone: nothing to say about its device.
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '2 minutes', '{"provider": "email"}') as password_login \gset
-- A session started 1.5 seconds later belongs to another sign-in, not to this one.
select pg_temp.add_session('alice', :'t'::timestamptz + interval '2 minutes 1.5 seconds', 'A later session', '198.51.100.21') as ignored \gset
-- An Apple sign-in at the same moment as another session start: the device is ambiguous, none is given.
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '3 minutes', '{"provider_type": "apple"}') as apple_login \gset
select pg_temp.add_session('alice', :'t'::timestamptz + interval '3 minutes', 'Safari on a phone', '198.51.100.30') as ignored \gset
select pg_temp.add_session('alice', :'t'::timestamptz + interval '3 minutes 0.9 seconds', 'Firefox elsewhere', '198.51.100.31') as ignored \gset
select pg_temp.auth_entry('alice', 'user_modified', :'t'::timestamptz + interval '4 minutes') as ignored \gset
select pg_temp.auth_entry('alice', 'identity_unlinked', :'t'::timestamptz + interval '5 minutes',
  '{"identity_id": "5b0f1d4e-0000-4000-8000-000000000001", "provider": "apple", "provider_id": "000123.apple"}') as unlinked \gset
select pg_temp.auth_entry('alice', 'factor_in_progress', :'t'::timestamptz + interval '6 minutes', '{"factor_id": "5b0f1d4e-0000-4000-8000-00000000f001"}', '198.51.100.6') as enrolled \gset
select pg_temp.auth_entry('alice', 'challenge_created', :'t'::timestamptz + interval '6 minutes 10 seconds', '{}', '198.51.100.6') as ignored \gset
select pg_temp.auth_entry('alice', 'verification_attempted', :'t'::timestamptz + interval '6 minutes 20 seconds', '{}', '198.51.100.6') as ignored \gset
select pg_temp.auth_entry('alice', 'factor_unenrolled', :'t'::timestamptz + interval '7 minutes', '{"factor_id": "5b0f1d4e-0000-4000-8000-00000000f001"}', '198.51.100.7') as unenrolled \gset
select pg_temp.auth_entry('alice', 'factor_deleted', :'t'::timestamptz + interval '8 minutes', '{"factor_id": "5b0f1d4e-0000-4000-8000-00000000f002"}', '192.0.2.8') as admin_deleted \gset
-- Two password sign-ins 600 ms apart, the first one's session since ended: the second one's session is
-- not the first one's device, and is not told apart from it either.
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '8 minutes 30 seconds', '{"provider": "email"}') as close_first \gset
select pg_temp.auth_entry('alice', 'login', :'t'::timestamptz + interval '8 minutes 30.6 seconds', '{"provider": "email"}') as close_second \gset
select pg_temp.add_session('alice', :'t'::timestamptz + interval '8 minutes 30.6 seconds', 'The second one', '198.51.100.40') as ignored \gset
-- Two entries with the very same timestamp: the id orders them.
select pg_temp.auth_entry('alice', 'logout', :'t'::timestamptz + interval '9 minutes') as logout_a \gset
select pg_temp.auth_entry('alice', 'logout', :'t'::timestamptz + interval '9 minutes') as logout_b \gset

-- bob's entries, at the same moments as alice's.
select pg_temp.auth_entry('bob', 'login', :'t'::timestamptz + interval '0.5 seconds', '{"provider_type": "google"}') as ignored \gset
select pg_temp.auth_entry('bob', 'logout', :'t'::timestamptz + interval '9 minutes') as ignored \gset
select pg_temp.auth_entry('bob', 'identity_unlinked', :'t'::timestamptz + interval '5 minutes', '{"provider": "google"}') as ignored \gset
-- The personas whose sessions are dead have a history too.
select count(pg_temp.auth_entry(p, 'login', :'t'::timestamptz, '{"provider_type": "google"}')) as ignored
from unnest(array['banned', 'revoked', 'reused']) p \gset

-- The app's rows, all at now() (this transaction's time): alice links an identity and ends a session, an
-- admin force-signs her out, bob ends one of his own sessions; other rows that are not security activity.
select pg_temp.act_as('alice');
insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, after)
values (pg_temp.uid('alice'), 'identity.link', pg_temp.uid('alice'), '203.0.113.11', 'Chrome on a laptop', '{"provider": "apple"}');
insert into public.audit_events (actor_id, action, target_user_id) values (pg_temp.uid('alice'), 'profile.update', pg_temp.uid('alice'));
select private.end_my_session(:'tablet', '203.0.113.12', 'Chrome on a laptop', 'req-1') as ignored \gset
reset role;
select pg_temp.act_as('admin');
insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, after)
values (pg_temp.uid('admin'), 'sessions.revoke', pg_temp.uid('alice'), '192.0.2.99', 'Staff browser', '{"sessions_revoked": 2}');
insert into public.audit_events (actor_id, action, target_user_id, after)
values (pg_temp.uid('admin'), 'role.assign', pg_temp.uid('alice'), '{"role": "user"}');
insert into public.audit_events (actor_id, action, target_user_id, after)
values (pg_temp.uid('admin'), 'sessions.revoke', pg_temp.uid('bob'), '{"sessions_revoked": 1}');
reset role;
insert into auth.sessions (id, user_id, created_at, updated_at, aal)
values ('00000000-0000-4000-8000-000000000b02', pg_temp.uid('bob'), now(), now(), 'aal1');
insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
values ('00000000-0000-0000-0000-000000000000', 'bobsecond01', pg_temp.uid('bob')::text, false, now(), now(), '00000000-0000-4000-8000-000000000b02');
select pg_temp.act_as('bob');
select private.end_my_session('00000000-0000-4000-8000-000000000b02') as ignored \gset
reset role;

select id as link_event from public.audit_events where action = 'identity.link' and target_user_id = pg_temp.uid('alice') \gset
select id as end_event from public.audit_events where action = 'session.end' and target_user_id = pg_temp.uid('alice') \gset
select id as revoke_event from public.audit_events where action = 'sessions.revoke' and target_user_id = pg_temp.uid('alice') \gset

-- ---------------------------------------------------------------------------------------------------
-- Who sees what
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from private.list_my_security_events()$$, '42501', null, 'anon cannot list security events');
reset role;

select pg_temp.act_as('alice');
create temp table alice_events as select * from private.list_my_security_events(null, null, 100);
reset role;

select results_eq(
  $$select kind, source, provider, ip, user_agent, by_self, session_count
    from pg_temp.alice_events where source = 'app' order by kind$$,
  $$values ('identity_linked', 'app', 'apple', '203.0.113.11', 'Chrome on a laptop', true, null::int),
           ('session_ended', 'app', null, '203.0.113.12', 'Chrome on a laptop', true, 1),
           ('sessions_revoked', 'app', null, '192.0.2.99', 'Staff browser', false, 2)$$,
  'alice: the app''s rows about her that are security activity: a link, her own session end, staff''s force sign-out'
);
select is((select session_id from pg_temp.alice_events where id = :'end_event'), :'tablet'::uuid,
  'alice: an ended session names the session');
select results_eq(
  $$select id, kind, provider, ip, user_agent, by_self from pg_temp.alice_events where source = 'auth' order by occurred_at, id$$,
  format($$values (%L::uuid, 'signed_in', 'google', '203.0.113.10', 'Chrome on a laptop', true),
                  (%L::uuid, 'signed_in', 'email', null, null, true),
                  (%L::uuid, 'signed_in', 'apple', null, null, true),
                  (%L::uuid, 'identity_unlinked', 'apple', null, null, true),
                  (%L::uuid, 'factor_added', null, '198.51.100.6', null, true),
                  (%L::uuid, 'factor_removed', null, '198.51.100.7', null, true),
                  (%L::uuid, 'factor_removed', null, '192.0.2.8', null, false),
                  (%L::uuid, 'signed_in', 'email', null, null, true),
                  (%L::uuid, 'signed_in', 'email', null, null, true),
                  (%L::uuid, 'signed_out', null, null, null, true),
                  (%L::uuid, 'signed_out', null, null, null, true)$$,
         :'google_login', :'password_login', :'apple_login', :'unlinked', :'enrolled', :'unenrolled', :'admin_deleted',
         :'close_first', :'close_second',
         least(:'logout_a'::uuid, :'logout_b'::uuid), greatest(:'logout_a'::uuid, :'logout_b'::uuid)),
  'alice: the Auth server''s entries that are security activity, one sign-in per OAuth sign-in, without refreshes, challenges or profile edits'
);
select is((select session_id from pg_temp.alice_events where id = :'google_login'), :'laptop'::uuid,
  'alice: a sign-in names the session it started when exactly one session was created with it');
select ok((select session_id is null from pg_temp.alice_events where id = :'apple_login'),
  'alice: a sign-in next to two session starts names no session and no device');
select is(
  array(select id from pg_temp.alice_events),
  array(select id from pg_temp.alice_events order by occurred_at desc, id desc),
  'alice: newest first, ties broken by id'
);
select is((select count(*)::int from pg_temp.alice_events), 14, 'alice: fourteen events in all');
select is((select count(*)::int from pg_temp.alice_events where occurred_at = now()), 3, 'alice: the app''s three come first (now)');

select pg_temp.act_as('bob');
select results_eq(
  $$select kind, source, provider, by_self from private.list_my_security_events() order by occurred_at desc, kind$$,
  $$values ('session_ended', 'app', null::text, true),
           ('sessions_revoked', 'app', null, false),
           ('signed_out', 'auth', null, true),
           ('identity_unlinked', 'auth', 'google', true),
           ('signed_in', 'auth', 'google', true)$$,
  'bob: his own events only'
);
select ok(not exists (select 1 from private.list_my_security_events(null, null, 100) e
                      where e.id in (select a.id from pg_temp.alice_events a)),
  'bob: none of alice''s events, although some share their timestamps with his');
reset role;

select pg_temp.act_as('admin');
select is((select count(*)::int from private.list_my_security_events()), 0,
  'admin: their own (empty) activity only; what they did to others is not theirs');
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from private.list_my_security_events()), 0, 'a banned user sees nothing, not even their own sign-in');
reset role;
select pg_temp.act_as('revoked');
select is((select count(*)::int from private.list_my_security_events()), 0, 'a user whose session was deleted sees nothing');
reset role;
select pg_temp.act_as('reused');
select is((select count(*)::int from private.list_my_security_events()), 0, 'a session whose refresh tokens were revoked sees nothing');
reset role;
select set_config('request.jwt.claims', json_build_object('sub', pg_temp.uid('alice'), 'role', 'authenticated',
  'session_id', :'tablet')::text, true);
set local role authenticated;
select is((select count(*)::int from private.list_my_security_events()), 0,
  'alice''s token from the session she ended sees nothing');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Keyset pagination
-- ---------------------------------------------------------------------------------------------------

-- Every id, page by page, each page starting after the last row of the previous one.
create function pg_temp.paged(who text, page_size int) returns uuid[] language plpgsql as $$
declare
  after_at timestamptz;
  after_id uuid;
  got uuid[] := '{}';
  r record;
  n int;
begin
  perform pg_temp.act_as(who);
  for i in 1..100 loop
    n := 0;
    for r in select * from private.list_my_security_events(after_at, after_id, page_size) loop
      got := got || r.id;
      after_at := r.occurred_at;
      after_id := r.id;
      n := n + 1;
    end loop;
    exit when n < page_size;
  end loop;
  reset role;
  return got;
end
$$;

select is(pg_temp.paged('alice', 1), array(select id from pg_temp.alice_events), 'pages of 1: every event once, in order');
select is(pg_temp.paged('alice', 2), array(select id from pg_temp.alice_events), 'pages of 2: every event once, in order');
select is(pg_temp.paged('alice', 5), array(select id from pg_temp.alice_events), 'pages of 5: every event once, in order');
select is(pg_temp.paged('alice', 14), array(select id from pg_temp.alice_events), 'a page the size of the whole list');
select is(
  (select count(distinct x)::int from unnest(pg_temp.paged('alice', 2)) x), 14, 'pages of 2: no event twice');

select pg_temp.act_as('alice');
select is((select count(*)::int from private.list_my_security_events()), 14, 'the default page holds up to 20');
select is((select count(*)::int from private.list_my_security_events(null, null, 0)), 1, 'a page size below 1 is 1');
select is((select count(*)::int from private.list_my_security_events(null, null, -5)), 1, 'a negative page size is 1');
select is(
  array(select id from private.list_my_security_events(
    (select occurred_at from pg_temp.alice_events where id = :'link_event'), :'link_event', 100)),
  array(select id from pg_temp.alice_events where (occurred_at, id) < (now(), :'link_event'::uuid)),
  'a cursor in the middle of rows with the same timestamp continues after it'
);
select is(
  (select count(*)::int from private.list_my_security_events(:'t'::timestamptz, gen_random_uuid(), 100)), 0,
  'nothing is older than the oldest event');
select throws_ok($$select * from private.list_my_security_events(now(), null)$$, '22023', null,
  'a cursor without its id is refused');
select throws_ok($$select * from private.list_my_security_events(null, gen_random_uuid())$$, '22023', null,
  'a cursor without its timestamp is refused');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select ok((select prosecdef from pg_proc where oid = 'private.list_my_security_events(timestamptz, uuid, integer)'::regprocedure),
  'list_my_security_events is security definer');
select ok(has_function_privilege('authenticated', 'private.list_my_security_events(timestamptz, uuid, integer)', 'execute'),
  'authenticated may execute it');
select ok(not has_function_privilege('anon', 'private.list_my_security_events(timestamptz, uuid, integer)', 'execute')
      and not has_function_privilege('service_role', 'private.list_my_security_events(timestamptz, uuid, integer)', 'execute'),
  'anon and service_role may not execute it');

select * from finish();
rollback;
