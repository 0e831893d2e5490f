-- The admin user search: private.search_users() and private.search_users_count(). Allowed for users.read only
-- (support, admin; not a plain user, a user without a role, anon, nor a banned or revoked admin); substring
-- search on email and name, a user id prefix, each filter, each sort in both directions with keyset pages that
-- return every row exactly once; counts exact up to 1,000 and estimated beyond.
begin;
create extension if not exists pgtap with schema extensions;

select plan(74);

\ir fixtures/matrix.psql

-- Sixteen users of their own domain (srch.test), so that the dev database's other users never match the
-- queries below: ties on created_at and last sign-in, users who never signed in, every provider mix, a
-- support and an admin, a current and an expired ban, MFA, LIKE wildcards in a name.
create temp table people (n int primary key, id uuid not null, email text, name text, created_at timestamptz,
                          last_sign_in_at timestamptz, providers text[], role public.app_role, banned_until timestamptz, mfa boolean);
grant select on people to public;
insert into people values
  (1, 'abcdef12-3456-4789-8abc-000000000001', 'quinn.zephyr@srch.test', 'Quinn Zephyr', now() - interval '10 days', now() - interval '1 hour', '{google}', 'user', null, true),
  (2, '00000000-0000-4000-8000-0000005e0002', 'Ada.Quill@srch.test', 'Ada Quill', now() - interval '10 days', null, '{apple}', 'support', null, false),
  (3, '00000000-0000-4000-8000-0000005e0003', 'bob.banned@srch.test', 'Bob Banned', now() - interval '9 days', now() - interval '2 hours', '{google,apple}', 'user', now() + interval '3 days', false),
  (4, '00000000-0000-4000-8000-0000005e0004', 'past.ban@srch.test', 'Pat Pastban', now() - interval '8 days', now() - interval '3 hours', '{google}', 'user', now() - interval '1 day', false),
  (5, '00000000-0000-4000-8000-0000005e0005', 'amy.admin@srch.test', 'Amy Admin', now() - interval '7 days', null, '{apple}', 'admin', null, true),
  (6, '00000000-0000-4000-8000-0000005e0006', 'percent@srch.test', 'Percent 100% Sure', now() - interval '6 days', now() - interval '4 hours', '{google}', 'user', null, false);
insert into people
select n, ('00000000-0000-4000-8000-0000005e' || lpad(n::text, 4, '0'))::uuid, 'user' || lpad(n::text, 2, '0') || '@srch.test',
       'Filler ' || n, now() - interval '5 days' - (n % 3) * interval '1 day',
       case when n % 4 = 0 then null else now() - interval '5 hours' end, '{google}', 'user', null, false
from generate_series(7, 16) n;

insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        last_sign_in_at, banned_until)
select '00000000-0000-0000-0000-000000000000', p.id, 'authenticated', 'authenticated', p.email, '{}',
       jsonb_build_object('full_name', p.name), p.created_at, now(), p.last_sign_in_at, p.banned_until
from people p;
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select x.provider || '-' || p.n, p.id, '{}', x.provider, now(), now() from people p cross join unnest(p.providers) x (provider);
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
select gen_random_uuid(), p.id, 'Phone', 'totp', 'verified', now(), now(), 'ABC' from people p where p.mfa;
update public.user_roles r set role = p.role from people p where r.user_id = p.id and p.role <> 'user';

-- The people numbers a search returns, in order, as support; only srch.test users (a short query or an id
-- prefix can also match users of the dev database).
create function pg_temp.found(q text, sort text default 'email', descending boolean default false,
                              r public.app_role default null, banned boolean default null, provider text default null,
                              mfa boolean default null) returns int[] language plpgsql as $$
declare
  result int[];
begin
  perform pg_temp.act_as('support');
  select coalesce(array_agg(p.n order by s.ordinality), '{}') into result
  from private.search_users(q, sort, descending, r, banned, provider, mfa, 200) with ordinality s
  join pg_temp.people p on p.id = s.id;
  reset role;
  return result;
end
$$;

-- Every srch.test user, page by page (page size 3) through the keyset cursor, as support.
create function pg_temp.all_pages(sort text, descending boolean) returns uuid[] language plpgsql as $$
declare
  ids uuid[] := '{}';
  page record;
  after_key text;
  after_id uuid;
  got int;
begin
  perform pg_temp.act_as('support');
  loop
    got := 0;
    for page in select * from private.search_users('srch.test', sort, descending, null, null, null, null, 3, after_key, after_id) loop
      ids := ids || page.id;
      after_key := page.cursor_key;
      after_id := page.id;
      got := got + 1;
    end loop;
    exit when got < 3;
  end loop;
  reset role;
  return ids;
end
$$;

-- The same order computed directly from the table.
create function pg_temp.expected_order(sort text, descending boolean) returns uuid[] language sql stable as $$
  select array_agg(d.id order by
    case when not descending and sort = 'created' then d.created_at end,
    case when not descending and sort = 'last_sign_in' then coalesce(d.last_sign_in_at, '-infinity') end,
    case when not descending and sort = 'email' then d.email end,
    case when not descending then d.id end,
    case when descending and sort = 'created' then d.created_at end desc,
    case when descending and sort = 'last_sign_in' then coalesce(d.last_sign_in_at, '-infinity') end desc,
    case when descending and sort = 'email' then d.email end desc,
    case when descending then d.id end desc)
  from private.user_directory d where d.email like '%@srch.test'
$$;

create function pg_temp.denied(who text, label text) returns setof text language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  return next throws_ok($q$select * from private.search_users('srch.test')$q$, '42501', null, format('search_users: %s is refused', label));
  return next throws_ok($q$select * from private.search_users_count('srch.test')$q$, '42501', null,
    format('search_users_count: %s is refused', label));
  reset role;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- Who may search
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('support');
select is((select count(*)::int from private.search_users('srch.test', 'email', false, null, null, null, null, 100)), 16,
  'support (users.read) finds the 16 srch.test users');
reset role;
select pg_temp.act_as('admin');
select is((select count(*)::int from private.search_users('srch.test', 'email', false, null, null, null, null, 100)), 16,
  'admin finds them too');
select is((select row(total, exact)::text from private.search_users_count('srch.test')), '(16,t)', 'admin counts them');
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

select ok(not has_function_privilege('authenticated', 'private.user_search_where(text, public.app_role, boolean, text, boolean)', 'execute'),
  'the WHERE builder is not callable by authenticated');
select ok(not has_function_privilege('anon', 'private.search_users(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)', 'execute')
      and not has_function_privilege('service_role', 'private.search_users(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)', 'execute'),
  'search_users: neither anon nor service_role may execute it');
select ok(
  (select bool_and(p.prosecdef and p.proconfig @> array['search_path=""']) from pg_proc p
   where p.oid in ('private.search_users(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)'::regprocedure,
                   'private.search_users_count(text, public.app_role, boolean, text, boolean)'::regprocedure)),
  'both are security definer with an empty search_path'
);
select ok(
  (select bool_and(p.prosrc !~* 'auth\.(users|identities|mfa_factors)'
                   and (p.proname = 'user_search_where' or p.prosrc ~ 'from private\.user_directory d')) from pg_proc p
   where p.proname in ('search_users', 'search_users_count', 'user_search_where') and p.pronamespace = 'private'::regnamespace),
  'the search reads private.user_directory, never the auth tables'
);

-- ---------------------------------------------------------------------------------------------------
-- Query: substring of email or name, user id prefix, short prefixes, wildcards
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.found('zephyr'), array[1], 'substring of the email and the name');
select is(pg_temp.found('QUILL'), array[2], 'case-insensitive, whatever the case of the stored email');
select is(pg_temp.found('pastban'), array[4], 'substring of the name only');
select is(pg_temp.found('past.ban'), array[4], 'substring of the email only');
select is(pg_temp.found('  Amy Adm  '), array[5], 'trimmed; a name with a space');
select is(pg_temp.found('0% s'), array[6], 'a % in the query matches a literal %');
select is(pg_temp.found('user_7'), '{}'::int[], 'an _ in the query matches a literal _, not any character');
select is(pg_temp.found('abcdef12'), array[1], 'a user id prefix (8 hex digits)');
select is(pg_temp.found('ABCDEF12-3456-47'), array[1], 'a user id prefix with dashes, in capitals');
select ok(1 = any (pg_temp.found('abcd')), 'a user id prefix of 4 hex digits');
select is(pg_temp.found('abcdef12-3456-4789-8abc-000000000001'), array[1], 'a whole user id');
select is(pg_temp.found('abcdef13'), '{}'::int[], 'another id prefix finds nobody');
select is(pg_temp.found('qu'), array[1], 'two characters: a prefix of the email or the name (Quinn), not a substring (Ada Quill)');
select is(pg_temp.found('fi', 'email', false), array[7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 'two characters: name prefix (Filler …)');
select count(*)::int as all_users from auth.users \gset
select pg_temp.act_as('support');
select is((select count(*)::int from private.search_users('  ', 'email', false, null, null, null, null, 201)), least(:all_users, 201),
  'a blank query matches everyone');
select is((select count(*)::int from private.search_users(null, 'email', false, null, null, null, null, 201)), least(:all_users, 201),
  'no query matches everyone');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Filters
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.found('srch.test', 'email', false, 'support'), array[2], 'role filter: support');
select is(pg_temp.found('srch.test', 'email', false, 'admin'), array[5], 'role filter: admin');
select is(array_length(pg_temp.found('srch.test', 'email', false, 'user'), 1), 14, 'role filter: user');
select is(pg_temp.found('srch.test', 'email', false, null, true), array[3], 'banned: only the current ban');
select ok(
  pg_temp.found('srch.test', 'email', false, null, false) @> array[1, 2, 4, 5, 6]
  and not 3 = any (pg_temp.found('srch.test', 'email', false, null, false))
  and array_length(pg_temp.found('srch.test', 'email', false, null, false), 1) = 15,
  'active: everyone but the banned user, an expired ban included'
);
select is(pg_temp.found('srch.test', 'email', false, null, null, 'apple'), array[2, 5, 3], 'provider: apple (Apple only, and Google and Apple)');
select is(array_length(pg_temp.found('srch.test', 'email', false, null, null, 'google'), 1), 14, 'provider: google');
select is(pg_temp.found('srch.test', 'email', false, null, null, 'github'), '{}'::int[], 'provider: one nobody has');
select is(pg_temp.found('srch.test', 'email', false, null, null, null, true), array[5, 1], 'has MFA');
select is(array_length(pg_temp.found('srch.test', 'email', false, null, null, null, false), 1), 14, 'without MFA');
select is(pg_temp.found('srch.test', 'email', false, null, null, 'google', true), array[1], 'filters combine: Google and MFA');
select is(pg_temp.found('a', 'email', false, 'admin', false, 'apple', true), array[5], 'query and every filter together');

-- ---------------------------------------------------------------------------------------------------
-- Sorts and keyset pages: each row exactly once, in order
-- ---------------------------------------------------------------------------------------------------

select is(pg_temp.all_pages('created', true), pg_temp.expected_order('created', true), 'created, newest first, pages of 3');
select is(pg_temp.all_pages('created', false), pg_temp.expected_order('created', false), 'created, oldest first, pages of 3');
select is(pg_temp.all_pages('last_sign_in', true), pg_temp.expected_order('last_sign_in', true),
  'last sign-in, most recent first, never signed in last, pages of 3');
select is(pg_temp.all_pages('last_sign_in', false), pg_temp.expected_order('last_sign_in', false),
  'last sign-in, never signed in first, pages of 3');
select is(pg_temp.all_pages('email', false), pg_temp.expected_order('email', false), 'email A to Z, pages of 3');
select is(pg_temp.all_pages('email', true), pg_temp.expected_order('email', true), 'email Z to A, pages of 3');
select is(
  (select count(distinct x)::int from unnest(pg_temp.all_pages('created', true) || pg_temp.all_pages('last_sign_in', false)) x), 16,
  'pages never skip nor repeat a user (16 distinct over both walks)'
);
select is(cardinality(pg_temp.all_pages('created', true)), 16, 'and a walk has exactly 16 entries');
select is(
  (select array_agg(p.n order by u.ord) from unnest(pg_temp.expected_order('created', true)) with ordinality u (id, ord)
   join people p on p.id = u.id limit 1)::int[] @> array[1, 2],
  true,
  'the fixture has a tie on created_at (Quinn and Ada) that the pages went through'
);

select pg_temp.act_as('support');
select is(
  (select row(email, display_name, providers, role, banned_until, has_mfa, created_at, last_sign_in_at, cursor_key)::text
   from private.search_users('bob.banned', 'last_sign_in')),
  row('bob.banned@srch.test', 'Bob Banned', array['apple', 'google'], 'user'::public.app_role, now() + interval '3 days', false,
      now() - interval '9 days', now() - interval '2 hours',
      to_char((now() - interval '2 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text,
  'a row: lower-cased email, name, providers, role, ban, MFA, timestamps, and the sort key in UTC as its cursor'
);
set local timezone = 'America/St_Johns';
select is((select cursor_key from private.search_users('bob.banned', 'created')),
  to_char((now() - interval '9 days') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  'the cursor key is in UTC whatever the session''s time zone');
reset timezone;
select is((select cursor_key from private.search_users('amy.admin', 'last_sign_in')), '-infinity',
  'the cursor key of a user who never signed in');
select is((select cursor_key from private.search_users('amy.admin', 'email')), 'amy.admin@srch.test', 'the cursor key of the email sort');
select is((select count(*)::int from private.search_users('srch.test', 'email', false, null, null, null, null, 0)), 1,
  'a page size below 1 is 1');

-- ---------------------------------------------------------------------------------------------------
-- Invalid input
-- ---------------------------------------------------------------------------------------------------

select throws_ok($$select * from private.search_users('x', 'name')$$, '22023', null, 'an unknown sort is refused');
select throws_ok($$select * from private.search_users('x', 'email', false, null, null, null, null, 10, 'a@b')$$, '22023', null,
  'a cursor without its id is refused');
select throws_ok($$select * from private.search_users('x', 'created', false, null, null, null, null, 10, 'not a time', gen_random_uuid())$$,
  '22007', null, 'a malformed timestamp cursor is refused');
select throws_ok(format('select * from private.search_users(%L)', repeat('a', 101)), '22023', null, 'a query over 100 characters is refused');
select throws_ok(format('select * from private.search_users_count(%L)', repeat('a', 101)), '22023', null, 'the count refuses it too');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Counts: exact up to 1,000 matches, estimated beyond
-- ---------------------------------------------------------------------------------------------------

insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', 'm' || n || '@many.srch2',
       '{}', '{}', now(), now()
from generate_series(1, 1100) n;
analyze private.user_directory;
select count(*) / 2 as half_the_users from auth.users \gset

select pg_temp.act_as('admin');
select is((select row(total, exact)::text from private.search_users_count('srch.test', 'user')), '(14,t)', 'count with a filter, exact');
select is((select row(total, exact)::text from private.search_users_count('zzzz-nobody')), '(0,t)', 'count of nothing, exact');
select is((select exact from private.search_users_count('many.srch2')), false, 'over 1,000 matches: an estimate');
select cmp_ok((select total from private.search_users_count('many.srch2')), '>=', 1001::bigint, 'an estimate never below 1,001');
select cmp_ok((select total from private.search_users_count(null)), '>=', :half_the_users::bigint,
  'the count of everyone is of the order of the number of users');
select is((select count(*)::int from private.search_users('many.srch2', 'created', true, null, null, null, null, 500)), 201,
  'a page size above 201 is 201');
reset role;

select * from finish();
rollback;
