-- The admin user search's layout for 100,000 users (20261206500000_user_search_scale.sql) and
-- private.search_users_page(): the page of private.search_users() and the total of
-- private.search_users_count() in one call. Allowed for users.read only; the same rows in the same order as
-- private.search_users() for every sort, direction, filter and cursor; the total as the count gives it, or the
-- first page's own length when the page is not full; name search through name_lower; a new user's identity
-- rewrites the directory row in place (HOT).
begin;
create extension if not exists pgtap with schema extensions;

select plan(45);

\ir fixtures/matrix.psql

-- Twelve users of their own domain (e0srch.test): a tie on created_at, users who never signed in, a current
-- and an expired ban, MFA, Apple and Google, a support and an admin, names with capitals, accents and a %.
create temp table e0 (n int primary key, id uuid not null, email text, name text, created_at timestamptz,
                      last_sign_in_at timestamptz, providers text[], role public.app_role, banned_until timestamptz, mfa boolean);
grant select on e0 to public;
insert into e0 values
  (1, '0e000000-0000-4000-8000-000000000001', 'Nora.Quist@e0srch.test', 'Nora Quist', now() - interval '10 days', now() - interval '1 hour', '{google}', 'user', null, true),
  (2, '0e000000-0000-4000-8000-000000000002', 'ole.quist@e0srch.test', 'ÓLE QUIST', now() - interval '10 days', null, '{apple}', 'support', null, false),
  (3, '0e000000-0000-4000-8000-000000000003', 'vera.banned@e0srch.test', 'Vera Vane', now() - interval '9 days', now() - interval '2 hours', '{google,apple}', 'user', now() + interval '3 days', true),
  (4, '0e000000-0000-4000-8000-000000000004', 'once.banned@e0srch.test', 'Otto Once', now() - interval '8 days', now() - interval '3 hours', '{google}', 'user', now() - interval '1 day', false),
  (5, '0e000000-0000-4000-8000-000000000005', 'ines.admin@e0srch.test', 'Inès Quist', now() - interval '7 days', null, '{apple}', 'admin', null, true),
  (6, '0e000000-0000-4000-8000-000000000006', 'pct@e0srch.test', 'Quist 50% Off', now() - interval '6 days', now() - interval '4 hours', '{google}', 'user', null, false);
insert into e0
select n, ('0e000000-0000-4000-8000-0000000000' || lpad(n::text, 2, '0'))::uuid, 'e0user' || lpad(n::text, 2, '0') || '@e0srch.test',
       'Filler Quist ' || n, now() - interval '5 days' - (n % 3) * interval '1 day',
       case when n % 4 = 0 then null else now() - interval '5 hours' - n * interval '1 minute' end,
       case when n % 2 = 0 then '{google}'::text[] else '{apple}'::text[] end, 'user', case when n = 9 then now() + interval '1 day' end,
       n % 3 = 0
from generate_series(7, 12) n;

insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        last_sign_in_at, banned_until)
select '00000000-0000-0000-0000-000000000000', p.id, 'authenticated', 'authenticated', p.email, '{}',
       jsonb_build_object('full_name', p.name), p.created_at, now(), p.last_sign_in_at, p.banned_until
from e0 p;
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select x.provider || '-e0-' || p.n, p.id, '{}', x.provider, now(), now() from e0 p cross join unnest(p.providers) x (provider);
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
select gen_random_uuid(), p.id, 'Phone', 'totp', 'verified', now(), now(), 'ABC' from e0 p where p.mfa;
update public.user_roles r set role = p.role from e0 p where r.user_id = p.id and p.role <> 'user';

-- Both functions with the same arguments, as the caller `who`: the rows as text, in order, and the totals.
create function pg_temp.both(who text, q text, sort text, descending boolean, r public.app_role, banned boolean,
                             provider text, mfa boolean, lim int, after_key text default null, after_id uuid default null)
returns table (page_rows text[], search_rows text[], totals text[], counted text)
language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  select coalesce(array_agg(row(s.id, s.email, s.display_name, s.providers, s.role, s.banned_until, s.has_mfa, s.created_at,
                                s.last_sign_in_at, s.cursor_key)::text order by s.ordinality), '{}'),
         coalesce(array_agg(distinct row(s.total, s.total_exact)::text), '{}')
    into page_rows, totals
  from private.search_users_page(q, sort, descending, r, banned, provider, mfa, lim, after_key, after_id) with ordinality s;
  select coalesce(array_agg(row(s.id, s.email, s.display_name, s.providers, s.role, s.banned_until, s.has_mfa, s.created_at,
                                s.last_sign_in_at, s.cursor_key)::text order by s.ordinality), '{}')
    into search_rows
  from private.search_users(q, sort, descending, r, banned, provider, mfa, lim, after_key, after_id) with ordinality s;
  select row(c.total, c.exact)::text into counted from private.search_users_count(q, r, banned, provider, mfa) c;
  reset role;
  return next;
end
$$;

-- Every combination below gives the same rows as private.search_users(); the number of combinations that
-- differ (0), and how many were compared.
create temp table combos as
select q, sort, descending, r, banned, provider, mfa, lim
from unnest(array['e0srch.test', 'quist', 'QUIST', 'ole q', 'óle', 'ne', 'qu', '50% o', 'nobody-e0', '0e00000000004000']) q,
     unnest(array['created', 'last_sign_in', 'email']) sort,
     unnest(array[true, false]) descending,
     (values (null::public.app_role, null::boolean, null::text, null::boolean, 3),
             (null, true, null, null, 2), (null, false, 'google', null, 5), ('user', null, 'apple', true, 4),
             ('admin', null, null, null, 1), (null, null, null, true, 200)) f (r, banned, provider, mfa, lim);
grant select on combos to public;

select is(
  (select count(*)::int from combos c, pg_temp.both('support', c.q, c.sort, c.descending, c.r, c.banned, c.provider, c.mfa, c.lim) b
   where b.page_rows is distinct from b.search_rows),
  0,
  'the first page is private.search_users()''s, row for row, for 360 queries, sorts, directions and filters'
);
select ok(
  (select count(*) filter (where cardinality(b.page_rows) > 0) >= 150 from combos c,
     pg_temp.both('support', c.q, c.sort, c.descending, c.r, c.banned, c.provider, c.mfa, c.lim) b),
  'and most of those pages hold users'
);

-- Totals: a first page shorter than the limit is its own exact total; a full page, the count's.
select is(
  (select count(*)::int from combos c, pg_temp.both('support', c.q, c.sort, c.descending, c.r, c.banned, c.provider, c.mfa, c.lim) b
   where cardinality(b.page_rows) > 0 and b.totals is distinct from array[
     case when cardinality(b.page_rows) < c.lim then row(cardinality(b.page_rows)::bigint, true)::text else b.counted end]),
  0,
  'every row carries one total: the short page''s length, or the count of a full page'
);
select is((select totals from pg_temp.both('support', 'e0srch.test', 'email', false, null, null, null, null, 20)), array['(12,t)'],
  'a short first page: its exact length');
select is((select totals from pg_temp.both('support', 'e0srch.test', 'email', false, null, null, null, null, 3)), array['(12,t)'],
  'a full first page: the exact count of all 12');
select is((select totals from pg_temp.both('support', 'e0srch.test', 'email', false, null, null, null, null, 12)), array['(12,t)'],
  'a page exactly as long as the limit is full: counted, 12');
select is((select totals from pg_temp.both('support', 'e0srch.test', 'email', false, null, true, null, null, 1)), array['(2,t)'],
  'a full page with a filter: the count of the filter (2 banned now)');
select is((select page_rows from pg_temp.both('support', 'nobody-e0', 'email', false, null, null, null, null, 3)), '{}'::text[],
  'no match, no row');

-- Cursor pages: the rows after the cursor, and the count whatever their number.
create function pg_temp.walk(sort text, descending boolean, lim int) returns table (same boolean, ids uuid[], totals text[])
language plpgsql as $$
declare
  page record;
  after_key text;
  after_id uuid;
  got int;
  b record;
begin
  same := true;
  ids := '{}';
  totals := '{}';
  loop
    select * into b from pg_temp.both('support', 'e0srch.test', sort, descending, null, null, null, null, lim, after_key, after_id);
    same := same and b.page_rows is not distinct from b.search_rows;
    totals := totals || b.totals;
    perform pg_temp.act_as('support');
    got := 0;
    for page in select * from private.search_users_page('e0srch.test', sort, descending, null, null, null, null, lim, after_key, after_id) loop
      ids := ids || page.id;
      after_key := page.cursor_key;
      after_id := page.id;
      got := got + 1;
    end loop;
    reset role;
    exit when got < lim;
  end loop;
  return next;
end
$$;

select is(
  (select array_agg(w.same and cardinality(w.ids) = 12 and (select count(distinct x) from unnest(w.ids) x) = 12
                    and w.totals <@ array['(12,t)'])
   from unnest(array['created', 'last_sign_in', 'email']) s, unnest(array[true, false]) d, pg_temp.walk(s, d, 5) w),
  array_fill(true, array[6]),
  'every sort and direction, pages of 5 through the cursor: search_users''s rows, 12 users once each, the total 12 on every page'
);
select is(
  (select w.ids from pg_temp.walk('created', true, 3) w),
  (select array_agg(p.id order by p.created_at desc, p.id desc) from e0 p),
  'newest first, through the tie on created_at, pages of 3'
);
select is(
  (select b.totals from pg_temp.both('support', 'e0srch.test', 'email', false, null, null, null, null, 5,
                                     'once.banned@e0srch.test', '0e000000-0000-4000-8000-000000000004') b),
  array['(12,t)'],
  'a cursor page shorter than the limit still carries the count of all matches'
);
select is(
  (select cardinality(b.page_rows) from pg_temp.both('support', 'e0srch.test', 'email', false, null, null, null, null, 5,
                                                      'zzz', '0e000000-0000-4000-8000-000000000012') b),
  0,
  'a cursor past the last match: no row (the caller asks search_users_count)'
);

-- Names: lower-cased once, in name_lower, and matched byte for byte against the lower-cased query.
select is((select name_lower from private.user_directory where id = '0e000000-0000-4000-8000-000000000002'), 'óle quist',
  'name_lower is the lower-cased name, accents included');
select is((select b.page_rows[1] ~ 'ÓLE QUIST' from pg_temp.both('support', 'óLe qu', 'email', false, null, null, null, null, 5) b), true,
  'a name substring in any case, accented capitals too, finds the name as written');
update public.profiles set display_name = 'Renamed Rumpel' where id = '0e000000-0000-4000-8000-000000000004';
select is((select name_lower from private.user_directory where id = '0e000000-0000-4000-8000-000000000004'), 'renamed rumpel',
  'name_lower follows a profile edit');
select is((select cardinality(page_rows) from pg_temp.both('support', 'rumpel', 'email', false, null, null, null, null, 5)), 1,
  'and the search finds the new name');
select is((select cardinality(page_rows) from pg_temp.both('support', 'otto once', 'email', false, null, null, null, null, 5)), 0,
  'not the old one');
select ok((select exists (select 1 from unnest(page_rows) x where x ~ 'Renamed Rumpel')
           from pg_temp.both('support', 're', 'email', false, null, null, null, null, 200)),
  'a two-letter prefix of the new name');

-- ---------------------------------------------------------------------------------------------------
-- Who may call it
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('admin');
select is((select count(*)::int from private.search_users_page('e0srch.test', 'email', false, null, null, null, null, 50)), 12,
  'admin (users.read) finds the 12 users');
reset role;
create function pg_temp.denied(who text, label text) returns setof text language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  return next throws_ok($q$select * from private.search_users_page('e0srch.test')$q$, '42501', null,
    format('search_users_page: %s is refused', label));
  reset role;
end
$$;
select pg_temp.denied('alice', 'a plain user');
select pg_temp.denied('norole', 'a user without a role row');
select pg_temp.denied('banned', 'a banned admin');
select pg_temp.denied('revoked', 'an admin whose session was deleted');
select pg_temp.denied('reused', 'an admin whose refresh tokens were revoked');
select pg_temp.denied('anon', 'anon');
update public.user_roles set role = 'user' where user_id = pg_temp.uid('support');
select pg_temp.denied('support', 'support demoted a statement ago');
update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');

select ok(has_function_privilege('authenticated', 'private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)', 'execute'),
  'authenticated may execute it (the function checks users.read)');
select ok(not has_function_privilege('anon', 'private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)', 'execute')
      and not has_function_privilege('service_role', 'private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)', 'execute'),
  'neither anon nor service_role may execute it');
select ok(
  (select p.prosecdef and p.proconfig @> array['search_path=""'] and p.provolatile = 'v' from pg_proc p
   where p.oid = 'private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)'::regprocedure),
  'security definer with an empty search_path, volatile (it runs EXPLAIN)'
);
select ok(
  (select p.prosrc !~* 'auth\.(users|identities|mfa_factors)' and p.prosrc ~ 'from private\.user_directory d' from pg_proc p
   where p.oid = 'private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)'::regprocedure),
  'it reads private.user_directory, never the auth tables'
);

-- ---------------------------------------------------------------------------------------------------
-- Invalid input
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('support');
select throws_ok($$select * from private.search_users_page('x', 'name')$$, '22023', null, 'an unknown sort is refused');
select throws_ok($$select * from private.search_users_page('x', 'email', false, null, null, null, null, 10, 'a@b')$$, '22023', null,
  'a cursor without its id is refused');
select throws_ok($$select * from private.search_users_page('x', 'email', false, null, null, null, null, 10, null, gen_random_uuid())$$,
  '22023', null, 'an id without its sort key is refused');
select throws_ok($$select * from private.search_users_page('x', 'created', false, null, null, null, null, 10, 'not a time', gen_random_uuid())$$,
  '22007', null, 'a malformed timestamp cursor is refused');
select throws_ok(format('select * from private.search_users_page(%L)', repeat('a', 101)), '22023', null, 'a query over 100 characters is refused');
select is((select count(*)::int from private.search_users_page('e0srch.test', 'email', false, null, null, null, null, 0)), 1,
  'a page size below 1 is 1');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Structure: room for a second version on every page, indexes
-- ---------------------------------------------------------------------------------------------------

select ok((select reloptions @> array['fillfactor=50'] from pg_class where oid = 'private.user_directory'::regclass),
  'user_directory has fillfactor 50');
select is(
  (select array_agg(indexrelid::regclass::text order by indexrelid::regclass::text) from pg_index i
   where i.indrelid = 'private.user_directory'::regclass
     and exists (select 1 from unnest(i.indkey) k join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k
                 where a.attname = 'providers')),
  null,
  'no index covers providers (linking an identity changes only it)'
);
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.oid in (select indexrelid from pg_index where indrelid = 'private.user_directory'::regclass)
     and c.relname in ('user_directory_email_trgm_idx', 'user_directory_name_trgm_idx')
     and c.reloptions @> array['gin_pending_list_limit=256']),
  array['user_directory_email_trgm_idx', 'user_directory_name_trgm_idx'],
  'the trigram indexes keep a pending list of at most 256 kB'
);
select has_index('private', 'user_directory', 'user_directory_name_prefix_idx', array['name_lower'], 'prefix index on name_lower');
select is(
  (select array_agg(c.relname::text || ': ' || pg_get_expr(i.indpred, i.indrelid) order by c.relname) from pg_index i join pg_class c on c.oid = i.indexrelid
   where i.indrelid = 'private.user_directory'::regclass and i.indpred is not null),
  array[
    'user_directory_banned_created_idx: (banned_until IS NOT NULL)',
    'user_directory_banned_email_idx: (banned_until IS NOT NULL)',
    'user_directory_banned_last_sign_in_idx: (banned_until IS NOT NULL)',
    'user_directory_mfa_created_idx: has_mfa',
    'user_directory_mfa_email_idx: has_mfa',
    'user_directory_mfa_last_sign_in_idx: has_mfa'
  ],
  'partial indexes for the banned and MFA filters, one per sort'
);
select ok(
  (select reloptions @> array['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_vacuum_insert_scale_factor=0.01']
   from pg_class where oid = 'private.user_directory'::regclass),
  'user_directory is vacuumed after 1 % of its rows changed, keeping the visibility map the index-only scans read'
);
select is(
  (select array_agg(attname::text || '=' || attstattarget order by attname) from pg_attribute
   where attrelid = 'private.user_directory'::regclass and attname in ('email', 'name_lower')),
  array['email=500', 'name_lower=500'],
  'statistics targets of 500 on the searched columns'
);

-- A batch of new users, then their identities, as a seed or the Auth server writes them: each identity
-- rewrites the user's directory row (its providers) in place, without new index entries.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', ('0e000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'authenticated',
       'authenticated', 'hot' || n || '@e0hot.test', '{}', jsonb_build_object('full_name', 'Hot User ' || n), now(), now()
from generate_series(1000, 1399) n;
select pg_stat_get_xact_tuples_updated('private.user_directory'::regclass) as updated_before,
       pg_stat_get_xact_tuples_hot_updated('private.user_directory'::regclass) as hot_before \gset
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select 'hot-' || n, ('0e000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, '{}', 'google', now(), now()
from generate_series(1000, 1399) n;
select is(pg_stat_get_xact_tuples_updated('private.user_directory'::regclass) - :updated_before, 400::bigint,
  'linking 400 identities rewrites 400 directory rows');
select cmp_ok(pg_stat_get_xact_tuples_hot_updated('private.user_directory'::regclass) - :hot_before, '>=', 320::bigint,
  'at least 80 % of them in place (HOT)');

select * from finish();
rollback;
