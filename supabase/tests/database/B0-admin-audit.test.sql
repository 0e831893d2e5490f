-- The audit log page: private.search_audit_events() and private.audit_event_actions(). Allowed with audit.read
-- only (support, admin; not a plain user, a user without a role, anon, nor a banned or revoked admin); filters
-- by actor and target (id or email), action and time range, alone and together; keyset pages, newest first,
-- that return every row exactly once through ties; the row as the page shows it; invalid input refused.
begin;
create extension if not exists pgtap with schema extensions;

select plan(52);

\ir fixtures/matrix.psql

-- Events of their own, in 2001, so that the dev database's other rows never fall in the range the tests use.
-- The stamp trigger sets created_at to the transaction's time; replica mode skips it (and only it: the
-- append-only triggers are `enable always`) for these inserts alone.
create temp table evs (n int primary key, id uuid not null default gen_random_uuid(), at timestamptz not null,
                       actor text not null, target text, action text not null, before jsonb, after jsonb, ip inet);
grant select on evs to public;
insert into evs (n, at, actor, target, action, before, after, ip) values
  (1, '2001-01-01 10:00Z', 'admin', 'bob', 'user.ban', '{"banned_until": null}', '{"ban_duration": "24h", "reason": "spam"}', '203.0.113.7'),
  (2, '2001-01-02 10:00Z', 'admin', 'alice', 'role.assign', '{"role": "user"}', '{"role": "support"}', null),
  (3, '2001-01-02 10:00Z', 'support', 'bob', 'sessions.revoke', null, '{"sessions_revoked": 2}', null),
  (4, '2001-01-03 10:00Z', 'alice', 'alice', 'profile.update', '{"display_name": "A"}', '{"display_name": "Alice"}', null),
  (5, '2001-01-04 10:00Z', 'admin', 'norole', 'user.delete', '{"role": "user", "reason": "asked"}', null, null),
  (6, '2001-01-05 10:00Z', 'admin', 'ghost', 'user.delete', null, null, null);
-- Five more at one instant: a page boundary must fall inside a tie.
insert into evs (n, at, actor, target, action)
select g, '2001-01-06 10:00:00.123456Z', 'support', 'alice', 'role.assign' from generate_series(7, 11) g;

-- A user id for each name: the personas, and a deleted user (no directory row) for 'ghost'.
create function pg_temp.who(name text) returns uuid language sql stable
as $$ select coalesce(pg_temp.uid(name), '00000000-0000-4000-8000-00000000d0d0'::uuid) $$;

set local session_replication_role = replica;
insert into public.audit_events (id, created_at, actor_id, action, target_user_id, ip, before, after)
select e.id, e.at, pg_temp.who(e.actor), e.action, pg_temp.who(e.target), e.ip, e.before, e.after from evs e;
set local session_replication_role = origin;

-- The event numbers a search returns, in order, as support, within 2001 unless a range is given.
create function pg_temp.found(actor text default null, target text default null, act text default null,
                              from_at timestamptz default '2001-01-01Z', to_at timestamptz default '2002-01-01Z')
returns int[] language plpgsql as $$
declare
  result int[];
begin
  perform pg_temp.act_as('support');
  select coalesce(array_agg(e.n order by s.ordinality), '{}') into result
  from private.search_audit_events(actor, target, act, from_at, to_at, 501) with ordinality s
  join pg_temp.evs e on e.id = s.id;
  reset role;
  return result;
end
$$;

-- The expected order, computed from the fixture: newest first, the id breaking ties, descending.
create function pg_temp.expected(ns int[]) returns int[] language sql stable
as $$ select coalesce(array_agg(e.n order by e.at desc, e.id desc), '{}') from pg_temp.evs e where e.n = any (ns) $$;

-- Every 2001 event, page by page (page size 2) through the keyset cursor, as admin.
create function pg_temp.all_pages() returns int[] language plpgsql as $$
declare
  result int[] := '{}';
  page record;
  after_at text;
  after_id uuid;
  got int;
begin
  perform pg_temp.act_as('admin');
  loop
    got := 0;
    for page in select s.*, e.n from private.search_audit_events(null, null, null, '2001-01-01Z', '2002-01-01Z', 2, after_at, after_id) s
                join pg_temp.evs e on e.id = s.id loop
      result := result || page.n;
      after_at := page.cursor_at;
      after_id := page.id;
      got := got + 1;
    end loop;
    exit when got < 2;
  end loop;
  reset role;
  return result;
end
$$;

create function pg_temp.denied(who text, label text) returns setof text language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  return next throws_ok($q$select * from private.search_audit_events()$q$, '42501', null,
    format('search_audit_events: %s is refused', label));
  return next throws_ok($q$select * from private.audit_event_actions()$q$, '42501', null,
    format('audit_event_actions: %s is refused', label));
  reset role;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Who may read
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.found(), pg_temp.expected(array[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'support (audit.read) reads every 2001 event, newest first');
select pg_temp.act_as('admin');
select is((select count(*)::int from private.search_audit_events(null, null, null, '2001-01-01Z', '2002-01-01Z', 100)), 11,
  'admin reads them too');
select ok((select array_agg(a) from private.audit_event_actions() a) @> array['profile.update', 'role.assign', 'sessions.revoke', 'user.ban', 'user.delete'],
  'admin lists the actions that occur');
reset role;
select pg_temp.denied('alice', 'a plain user');
select pg_temp.denied('norole', 'a user without a role row');
select pg_temp.denied('banned', 'a banned admin');
select pg_temp.denied('revoked', 'an admin whose session was deleted');
select pg_temp.denied('reused', 'an admin whose refresh tokens were revoked');
select pg_temp.denied('anon', 'anon');

update public.user_roles set role = 'user' where user_id = pg_temp.uid('support');
select pg_temp.denied('support', 'support demoted a statement ago');
update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');

select ok(not has_function_privilege('authenticated', 'private.audit_filter_users(text)', 'execute'),
  'the user filter resolver is not callable by authenticated');
select ok(not has_function_privilege('anon', 'private.search_audit_events(text, text, text, timestamptz, timestamptz, integer, text, uuid)', 'execute')
      and not has_function_privilege('service_role', 'private.search_audit_events(text, text, text, timestamptz, timestamptz, integer, text, uuid)', 'execute')
      and not has_function_privilege('anon', 'private.audit_event_actions()', 'execute'),
  'neither anon nor service_role may execute them');
select ok(
  (select bool_and(p.prosecdef and p.proconfig @> array['search_path=""']) from pg_proc p
   where p.oid in ('private.search_audit_events(text, text, text, timestamptz, timestamptz, integer, text, uuid)'::regprocedure,
                   'private.audit_event_actions()'::regprocedure, 'private.audit_filter_users(text)'::regprocedure)),
  'all three are security definer with an empty search_path'
);
select has_index('public', 'audit_events', 'audit_events_created_id_idx', array['created_at', 'id'], 'keyset index on (created_at, id)');
select has_index('public', 'audit_events', 'audit_events_action_idx', array['action', 'created_at', 'id'], 'action index for the filter and the list');

-- ---------------------------------------------------------------------------------------------------
-- Filters
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.found(pg_temp.uid('admin')::text), pg_temp.expected(array[1, 2, 5, 6]), 'actor by id');
select is(pg_temp.found(' ADMIN@rls.test '), pg_temp.expected(array[1, 2, 5, 6]), 'actor by email, any case, trimmed');
select is(pg_temp.found(upper(pg_temp.uid('admin')::text)), pg_temp.expected(array[1, 2, 5, 6]), 'actor by id in capitals');
select is(pg_temp.found('nobody@rls.test'), '{}'::int[], 'an email nobody has finds nothing');
select is(pg_temp.found(''), '{}'::int[], 'a blank user filter finds nothing (not everything)');
select is(pg_temp.found('admin'), '{}'::int[], 'part of an email is not a match');
select is(pg_temp.found(null, 'bob@rls.test'), pg_temp.expected(array[1, 3]), 'target by email');
select is(pg_temp.found(null, pg_temp.uid('alice')::text), pg_temp.expected(array[2, 4, 7, 8, 9, 10, 11]), 'target by id');
select is(pg_temp.found(null, '00000000-0000-4000-8000-00000000d0d0'), array[6], 'target by id of a deleted user (rows outlive users)');
select is(pg_temp.found(null, null, 'user.delete'), pg_temp.expected(array[5, 6]), 'action');
select is(pg_temp.found(null, null, 'user.unknown'), '{}'::int[], 'an action that does not occur');
select is(pg_temp.found(null, null, null, '2001-01-02 10:00Z', '2001-01-04 10:00Z'), pg_temp.expected(array[2, 3, 4]),
  'time range: from inclusive, to exclusive');
-- From only: no upper bound. The database may hold any number of real events after 2001, more than a page, so
-- the check is that the newest event of all (an event written by this test now, at the latest) comes first.
insert into public.audit_events (actor_id, action, target_user_id, before, after)
values (pg_temp.uid('admin'), 'role.assign', pg_temp.uid('bob'), '{}', '{}');
create function pg_temp.newest_from(from_at timestamptz) returns uuid language plpgsql as $$
declare
  result uuid;
begin
  perform pg_temp.act_as('support');
  select s.id into result from private.search_audit_events(null, null, null, from_at, null, 1) s;
  reset role;
  return result;
end
$$;
select is(pg_temp.newest_from('2001-01-05Z'),
  (select e.id from public.audit_events e order by e.created_at desc, e.id desc limit 1),
  'from only: no upper bound (the newest event of all comes first)');
select is(pg_temp.found('admin@rls.test', 'alice@rls.test', 'role.assign'), array[2], 'actor, target and action together');
select is(pg_temp.found('support@rls.test', null, 'role.assign', '2001-01-06Z', '2001-01-07Z'), pg_temp.expected(array[7, 8, 9, 10, 11]),
  'actor, action and range together');
select is(pg_temp.found('admin@rls.test', 'bob@rls.test', 'sessions.revoke'), '{}'::int[], 'filters combine with and');

-- ---------------------------------------------------------------------------------------------------
-- Keyset pages
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.all_pages(), pg_temp.expected(array[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'pages of 2 walk every event once, newest first');
select is((select count(distinct x)::int from unnest(pg_temp.all_pages()) x), 11, 'no event skipped or repeated through the ties');
select ok((select count(*) from evs where at = '2001-01-06 10:00:00.123456Z') = 5, 'the fixture has a five-way tie, to the microsecond');

-- ---------------------------------------------------------------------------------------------------
-- The row
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('support');
select is(
  (select row(s.actor_id, s.actor_email, s.action, s.target_user_id, s.target_email, s.reason, s.ip, s.before, s.after, s.cursor_at)::text
   from private.search_audit_events(null, null, 'user.ban', '2001-01-01Z', '2001-01-02Z') s),
  row(pg_temp.uid('admin'), 'admin@rls.test', 'user.ban', pg_temp.uid('bob'), 'bob@rls.test', 'spam', '203.0.113.7',
      '{"banned_until": null}'::jsonb, '{"ban_duration": "24h", "reason": "spam"}'::jsonb, '2001-01-01T10:00:00.000000Z')::text,
  'a row: actor and target with their emails, the reason from after, IP, before and after, the cursor time in UTC'
);
select is((select s.reason from private.search_audit_events(null, 'norole@rls.test', 'user.delete', '2001-01-01Z', '2002-01-01Z') s),
  'asked', 'the reason from before when after has none');
select is((select row(s.target_email, s.target_user_id)::text from private.search_audit_events(null, null, null, '2001-01-05Z', '2001-01-06Z') s),
  row(null::text, '00000000-0000-4000-8000-00000000d0d0'::uuid)::text, 'a deleted target: its id, no email');
select is((select s.cursor_at from private.search_audit_events(null, null, null, '2001-01-06Z', '2001-01-07Z', 1) s),
  '2001-01-06T10:00:00.123456Z', 'cursor time keeps the microseconds');
set local timezone = 'America/New_York';
select is((select s.cursor_at from private.search_audit_events(null, null, null, '2001-01-06Z', '2001-01-07Z', 1) s),
  '2001-01-06T10:00:00.123456Z', 'whatever the session''s time zone');
reset timezone;
select is((select count(*)::int from private.search_audit_events(null, null, null, '2001-01-01Z', '2002-01-01Z', 0)), 1, 'a limit below 1 is 1');
select is((select count(*)::int from private.search_audit_events(null, null, null, null, null, 100000)),
  least((select count(*)::int from public.audit_events), 501), 'a limit above 501 is 501, and no filter reads every event');

-- ---------------------------------------------------------------------------------------------------
-- Invalid input
-- ---------------------------------------------------------------------------------------------------

select throws_ok($$select * from private.search_audit_events(null, null, 'User.Ban')$$, '22023', null, 'an action that is not an action name');
select throws_ok($$select * from private.search_audit_events(null, null, null, null, null, 10, '2001-01-01T00:00:00.000000Z', null)$$,
  '22023', null, 'half a cursor');
select throws_ok($$select * from private.search_audit_events(null, null, null, null, null, 10, 'yesterday-ish', gen_random_uuid())$$,
  '22007', null, 'a cursor time that is not a time');
select throws_ok(format('select * from private.search_audit_events(%L)', repeat('a', 321)), '22023', null, 'an over-long user filter');
reset role;

select * from finish();
rollback;
