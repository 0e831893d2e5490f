-- The staff user page: private.get_user_detail() and private.list_user_audit(). Allowed for support and admin
-- (users.read, audit.read); refused with 42501 for a plain user (even about themselves), a user without a
-- role, anon, and a banned, revoked or reused admin. The details hold the one user asked for and nobody
-- else's identities, sessions, factors or events; no secret of a factor or session; the audit trail pages
-- through every event of the user exactly once, newest first.
begin;
create extension if not exists pgtap with schema extensions;

select plan(68);

\ir fixtures/matrix.psql

-- alice: a Google and an Apple identity, a profile name and avatar; besides her fixture session, a laptop
-- (refreshed an hour ago, AAL2), a phone whose refresh tokens were revoked (reuse detection) and a tablet
-- past not_after (neither is usable); a verified TOTP factor and an unverified one, and a phone factor, each
-- with a secret. bob: his own identity, session, factor and events, which must never show up in alice's.
update public.profiles set display_name = 'Alice Liddell', avatar_url = 'https://lh3.example.test/alice.png'
where id = pg_temp.uid('alice');
update auth.users set last_sign_in_at = now() - interval '5 minutes' where id = pg_temp.uid('alice');
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at, last_sign_in_at)
values
  ('g-alice', pg_temp.uid('alice'), '{"email": "Alice@Gmail.test", "sub": "g-alice"}', 'google', now() - interval '9 days', now(), now()),
  ('a-alice', pg_temp.uid('alice'), '{"email": "alice@privaterelay.test", "sub": "a-alice"}', 'apple', now() - interval '3 days', now(), null),
  ('g-bob', pg_temp.uid('bob'), '{"email": "bob@gmail.test", "sub": "g-bob"}', 'google', now() - interval '5 days', now(), now());

create function pg_temp.add_session(who text, sid uuid, token_revoked boolean default false) returns void language sql as $$
  insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
  values (sid, pg_temp.uid(who), now() - interval '2 days', now() - interval '2 days', 'aal1',
          'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', '198.51.100.20');
  insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
  values ('00000000-0000-0000-0000-000000000000', 'c0' || left(md5(sid::text), 12), pg_temp.uid(who)::text, token_revoked,
          now(), now(), sid);
$$;
select pg_temp.add_session('alice', '00000000-0000-4000-8000-00000c0a1a01');
update auth.sessions
set refreshed_at = (now() - interval '1 hour') at time zone 'UTC', aal = 'aal2', ip = '203.0.113.50'
where id = '00000000-0000-4000-8000-00000c0a1a01';
select pg_temp.add_session('alice', '00000000-0000-4000-8000-00000c0a1a02', true);
select pg_temp.add_session('alice', '00000000-0000-4000-8000-00000c0a1a03');
update auth.sessions set not_after = now() - interval '1 minute' where id = '00000000-0000-4000-8000-00000c0a1a03';
select pg_temp.add_session('bob', '00000000-0000-4000-8000-00000c0b0b01');

insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret, phone)
values
  ('00000000-0000-4000-8000-00000c0f0001', pg_temp.uid('alice'), 'Pixel', 'totp', 'verified', now() - interval '4 days', now(), 'ALICESECRETTOTP1', null),
  ('00000000-0000-4000-8000-00000c0f0002', pg_temp.uid('alice'), 'Half done', 'totp', 'unverified', now() - interval '1 day', now(), 'ALICESECRETTOTP2', null),
  ('00000000-0000-4000-8000-00000c0f0003', pg_temp.uid('alice'), 'Work phone', 'phone', 'verified', now() - interval '2 days', now(), 'ALICESECRETPHONE', '+15550001111'),
  ('00000000-0000-4000-8000-00000c0f00b0', pg_temp.uid('bob'), 'Bob phone', 'totp', 'verified', now() - interval '4 days', now(), 'BOBSECRET', null);

-- Audit events, written with the stamp trigger off (session_replication_role = replica; the append-only
-- triggers fire always) so that they can carry chosen times: 30 about alice by the admin, a minute apart, the
-- last three at the very same microsecond (ties broken by id); one alice did to herself; one alice did to bob;
-- two about bob alone (one by the admin, one by bob himself).
set local session_replication_role = replica;
insert into public.audit_events (id, created_at, actor_id, action, target_user_id, ip, user_agent, before, after)
select ('00000000-0000-4000-8000-00000ca' || lpad(n::text, 5, '0'))::uuid,
       case when n > 27 then timestamptz '2026-12-01 10:00:00.123456+00' - interval '1 day'
            else timestamptz '2026-12-01 10:00:00.123456+00' - n * interval '1 minute' end,
       pg_temp.uid('admin'), 'user.ban', pg_temp.uid('alice'), '192.0.2.10', 'Admin UA',
       '{"banned_until": null}', jsonb_build_object('reason', 'spam ' || n)
from generate_series(1, 30) n;
insert into public.audit_events (id, created_at, actor_id, action, target_user_id, after) values
  ('00000000-0000-4000-8000-00000cb00001', timestamptz '2026-12-01 09:45:30.000001+00', pg_temp.uid('alice'), 'profile.update', pg_temp.uid('alice'), '{"field": "display_name"}'),
  ('00000000-0000-4000-8000-00000cb00002', timestamptz '2026-12-01 09:40:30.5+00', pg_temp.uid('alice'), 'session.end', pg_temp.uid('bob'), '{}'),
  ('00000000-0000-4000-8000-00000cb00003', timestamptz '2026-12-01 09:50:00+00', pg_temp.uid('admin'), 'user.ban', pg_temp.uid('bob'), '{}'),
  ('00000000-0000-4000-8000-00000cb00004', timestamptz '2026-12-01 09:51:00+00', pg_temp.uid('bob'), 'profile.update', pg_temp.uid('bob'), '{}');
set local session_replication_role = origin;

-- alice's 32 events, newest first, as the table orders them.
create function pg_temp.alice_events() returns uuid[] language sql stable as $$
  select array_agg(e.id order by e.created_at desc, e.id desc)
  from public.audit_events e
  where e.target_user_id = pg_temp.uid('alice') or e.actor_id = pg_temp.uid('alice')
$$;

-- Every event of alice's trail, page by page through the cursor, as `who`.
create function pg_temp.trail_pages(who text, size int) returns uuid[] language plpgsql as $$
declare
  ids uuid[] := '{}';
  r record;
  before_at timestamptz;
  before_id uuid;
  got int;
begin
  perform pg_temp.act_as(who);
  loop
    got := 0;
    for r in select * from private.list_user_audit(pg_temp.uid('alice'), before_at, before_id, size) loop
      ids := ids || r.id;
      before_at := r.cursor_at::timestamptz;
      before_id := r.id;
      got := got + 1;
    end loop;
    exit when got < size;
  end loop;
  reset role;
  return ids;
end
$$;

create function pg_temp.detail(who text, about text) returns jsonb language plpgsql as $$
declare
  result jsonb;
begin
  perform pg_temp.act_as(who);
  result := private.get_user_detail(pg_temp.uid(about));
  reset role;
  return result;
end
$$;

create function pg_temp.denied(who text, label text) returns setof text language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  return next throws_ok($q$select private.get_user_detail(pg_temp.uid('alice'))$q$, '42501', null,
    format('get_user_detail: %s is refused', label));
  return next throws_ok($q$select * from private.list_user_audit(pg_temp.uid('alice'))$q$, '42501', null,
    format('list_user_audit: %s is refused', label));
  reset role;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Who may read
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.detail('admin', 'alice') ->> 'email', 'alice@rls.test', 'admin reads alice''s details');
select is(pg_temp.detail('support', 'alice') ->> 'email', 'alice@rls.test', 'support (users.read) reads them too');
select is(pg_temp.detail('support', 'alice'), pg_temp.detail('admin', 'alice'), 'support and admin see the same details');

select pg_temp.denied('alice', 'a plain user, about themselves');
select pg_temp.denied('bob', 'a plain user, about someone else');
select pg_temp.denied('norole', 'a user without a role');
select pg_temp.denied('banned', 'a banned admin');
select pg_temp.denied('revoked', 'an admin whose session was revoked');
select pg_temp.denied('reused', 'an admin whose refresh tokens were revoked');
select pg_temp.denied('anon', 'anon');

-- A demotion counts on the very next statement, whatever the token says.
update public.user_roles set role = 'user' where user_id = pg_temp.uid('support');
select pg_temp.denied('support', 'support demoted to user a moment ago');
update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');

select pg_temp.act_as('admin');
select is(private.get_user_detail('00000000-0000-4000-8000-0000000dead0'), null, 'an unknown id is null');
select is(private.get_user_detail(null), null, 'a null id is null');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- What the details hold
-- ---------------------------------------------------------------------------------------------------

create temp table d as select pg_temp.detail('admin', 'alice') as j;
grant select on d to public;

select is((select j ->> 'id' from d), pg_temp.uid('alice')::text, 'the id is alice''s');
select is((select j ->> 'display_name' from d), 'Alice Liddell', 'profile: display name');
select is((select j ->> 'avatar_url' from d), 'https://lh3.example.test/alice.png', 'profile: avatar');
select is((select (j ->> 'created_at')::timestamptz from d), (select created_at from auth.users where id = pg_temp.uid('alice')), 'profile: created');
select is((select (j ->> 'last_sign_in_at')::timestamptz from d), (select last_sign_in_at from auth.users where id = pg_temp.uid('alice')), 'profile: last sign-in');
select is((select j -> 'banned_until' from d), 'null'::jsonb, 'profile: not banned');
select is((select j ->> 'role' from d), 'user', 'role: user');
select is(pg_temp.detail('admin', 'support') ->> 'role', 'support', 'role of the support user: support');
select is(pg_temp.detail('admin', 'norole') -> 'role', 'null'::jsonb, 'no role row: null');
select isnt(pg_temp.detail('admin', 'banned') ->> 'banned_until', null, 'a banned user''s banned_until is given');

select is((select array_agg(x ->> 'provider' order by o) from d, jsonb_array_elements(j -> 'identities') with ordinality t (x, o)),
  array['google', 'apple'], 'identities: alice''s two, oldest first');
select is((select array_agg(x ->> 'email' order by o) from d, jsonb_array_elements(j -> 'identities') with ordinality t (x, o)),
  array['alice@gmail.test', 'alice@privaterelay.test'], 'identities: their emails');
select is((select (j -> 'identities' -> 0 ->> 'linked_at')::timestamptz from d),
  (select created_at from auth.identities where provider_id = 'g-alice'), 'identities: linked at');
select is((select array_agg(k order by k) from d, jsonb_object_keys(j -> 'identities' -> 0) k),
  array['email', 'id', 'last_sign_in_at', 'linked_at', 'provider'], 'identities: only these fields (no identity_data)');

select is((select array_agg((x ->> 'id')::uuid order by o) from d, jsonb_array_elements(j -> 'sessions') with ordinality t (x, o)),
  array[pg_temp.sid('alice'), '00000000-0000-4000-8000-00000c0a1a01'::uuid],
  'sessions: most recently active first (the fixture session now, the laptop refreshed an hour ago)');
select set_eq($$select (x ->> 'id')::uuid from d, jsonb_array_elements(j -> 'sessions') x$$,
  array[pg_temp.sid('alice'), '00000000-0000-4000-8000-00000c0a1a01'::uuid],
  'sessions: alice''s usable sessions only (no revoked refresh token, none past not_after, none of bob''s)');
select is((select x ->> 'ip' from d, jsonb_array_elements(j -> 'sessions') x where x ->> 'id' = '00000000-0000-4000-8000-00000c0a1a01'),
  '203.0.113.50', 'sessions: the IP');
select is((select x ->> 'aal' from d, jsonb_array_elements(j -> 'sessions') x where x ->> 'id' = '00000000-0000-4000-8000-00000c0a1a01'),
  'aal2', 'sessions: the assurance level');
select is((select x ->> 'user_agent' from d, jsonb_array_elements(j -> 'sessions') x where x ->> 'id' = '00000000-0000-4000-8000-00000c0a1a01'),
  'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', 'sessions: the user agent');
select is((select (x ->> 'last_active_at')::timestamptz from d, jsonb_array_elements(j -> 'sessions') x where x ->> 'id' = '00000000-0000-4000-8000-00000c0a1a01'),
  now() - interval '1 hour', 'sessions: last active is the last refresh');
select is((select array_agg(k order by k) from d, jsonb_object_keys(j -> 'sessions' -> 0) k),
  array['aal', 'created_at', 'id', 'ip', 'last_active_at', 'user_agent'], 'sessions: only these fields');
select is(jsonb_array_length(pg_temp.detail('admin', 'banned') -> 'sessions'), 1, 'sessions: a banned user''s session is listed, so that staff can end it');

select is((select array_agg(x ->> 'friendly_name' order by o) from d, jsonb_array_elements(j -> 'factors') with ordinality t (x, o)),
  array['Pixel', 'Work phone', 'Half done'], 'factors: alice''s three, oldest first, none of bob''s');
select is((select array_agg(x ->> 'status' order by o) from d, jsonb_array_elements(j -> 'factors') with ordinality t (x, o)),
  array['verified', 'verified', 'unverified'], 'factors: their status');
select is((select array_agg(x ->> 'factor_type' order by o) from d, jsonb_array_elements(j -> 'factors') with ordinality t (x, o)),
  array['totp', 'phone', 'totp'], 'factors: their type');
select is((select array_agg(k order by k) from d, jsonb_object_keys(j -> 'factors' -> 0) k),
  array['created_at', 'factor_type', 'friendly_name', 'id', 'status'], 'factors: only these fields');
select unalike((select j::text from d), '%SECRET%', 'no factor secret anywhere in the details');
select unalike((select j::text from d), '%5550001111%', 'no factor phone number anywhere in the details');
select unalike((select j::text from d), '%' || left(md5(pg_temp.sid('alice')::text), 12) || '%', 'no refresh token anywhere in the details');
select unalike((select j::text from d), '%' || pg_temp.uid('bob') || '%', 'nothing of bob''s (not even his id) in alice''s details');
select is((select array_agg(k order by k) from d, jsonb_object_keys(j) k),
  array['avatar_url', 'banned_until', 'created_at', 'display_name', 'email', 'factors', 'id', 'identities', 'last_sign_in_at', 'role', 'sessions'],
  'the details have exactly these fields');

-- ---------------------------------------------------------------------------------------------------
-- The audit trail
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('support');
select is((select count(*)::int from private.list_user_audit(pg_temp.uid('alice'), null, null, 50)), 32,
  'support reads alice''s 32 events (target or actor), the self-inflicted one once');
reset role;
select pg_temp.act_as('admin');
select is((select array_agg(a.id) from private.list_user_audit(pg_temp.uid('alice'), null, null, 50) a),
  pg_temp.alice_events(), 'admin reads the same, newest first, ties by id');
select is((select count(*)::int from private.list_user_audit(pg_temp.uid('alice')) a), 20, 'the default page is 20 events');
select ok(not exists (select 1 from private.list_user_audit(pg_temp.uid('alice'), null, null, 50) a
                      where a.id in ('00000000-0000-4000-8000-00000cb00003', '00000000-0000-4000-8000-00000cb00004')),
  'events about bob alone are not in alice''s trail');
select ok(exists (select 1 from private.list_user_audit(pg_temp.uid('alice'), null, null, 50) a
                  where a.id = '00000000-0000-4000-8000-00000cb00002' and a.actor_email = 'alice@rls.test'
                    and a.target_email = 'bob@rls.test' and a.target_name = 'Bob'),
  'what alice did to bob is in her trail, with both names');
select is((select row(a.action, a.actor_email, a.actor_name, a.target_email, a.ip, a.user_agent, a.before, a.after)::text
           from private.list_user_audit(pg_temp.uid('alice'), null, null, 50) a where a.id = '00000000-0000-4000-8000-00000ca00001'),
  row('user.ban', 'admin@rls.test', 'Admin', 'alice@rls.test', '192.0.2.10', 'Admin UA', '{"banned_until": null}'::jsonb, '{"reason": "spam 1"}'::jsonb)::text,
  'an event''s action, actor, target, ip, user agent, before and after');
select is((select a.cursor_at from private.list_user_audit(pg_temp.uid('alice'), null, null, 1) a),
  '2026-12-01T09:59:00.123456Z', 'cursor_at: UTC to the microsecond');
set local timezone = 'America/New_York';
set local datestyle = 'SQL, DMY';
select is((select a.cursor_at from private.list_user_audit(pg_temp.uid('alice'), null, null, 1) a),
  '2026-12-01T09:59:00.123456Z', 'cursor_at: the same whatever TimeZone and DateStyle');
reset timezone;
reset datestyle;
select is((select count(*)::int from private.list_user_audit('00000000-0000-4000-8000-0000000dead0')), 0, 'an unknown user has no events');
select throws_ok($$select * from private.list_user_audit(pg_temp.uid('alice'), null, null, 51)$$, '22023', null, 'a limit over 50 is refused');
select throws_ok($$select * from private.list_user_audit(pg_temp.uid('alice'), null, null, 0)$$, '22023', null, 'a limit of 0 is refused');
select throws_ok($$select * from private.list_user_audit(pg_temp.uid('alice'), now(), null, 10)$$, '22023', null, 'half a cursor is refused');
select throws_ok($$select * from private.list_user_audit(null)$$, '22023', null, 'a null user id is refused');
reset role;

select is(pg_temp.trail_pages('admin', 3), pg_temp.alice_events(), 'pages of 3: every event once, in order (ties at one microsecond included)');
select is(pg_temp.trail_pages('support', 7), pg_temp.alice_events(), 'pages of 7: the same');
select is(pg_temp.trail_pages('admin', 50), pg_temp.alice_events(), 'one page of 50: the same');

select * from finish();
rollback;
