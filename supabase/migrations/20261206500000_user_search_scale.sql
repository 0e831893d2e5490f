-- The admin user search at 100,000 users (issue 11: latency at 100,000 users within twice that at 1,000). The
-- same searches, results, order and count semantics as before. Measured at 100,000 users seeded by
-- scripts/seed-users.ts and before any vacuum, as `npm run bench` measures them, each search as
-- lib/admin/search-users.ts runs it:
--
-- 1. Every new user's directory row was written twice. The auth.users trigger inserts it before the user has an
--    identity; the auth.identities trigger, in the same transaction, rewrites it with the providers. The
--    rewrite was never HOT (`providers` had a GIN index, and a freshly filled page has no room for a second
--    version), so every index held the dead entry beside the live one. B-tree deduplication folds the two
--    into one posting list, which an index scan cannot mark dead, so until a vacuum every index scan visited
--    two heap tuples per user (the banned filter: 2,870 buffers instead of 1,430, 6 ms instead of 0.5). Now
--    the rewrite is HOT for nine users in ten: fillfactor 50 leaves room on the page for the second version
--    (the first is pruned once the transaction ends), and no index covers `providers` any more. Its GIN index
--    served only a provider held by few users; Google and Apple are each held by a third of the users or
--    more, and the planner read a sort index for them anyway.
-- 2. After a seed the trigram indexes' pending lists held thousands of entries (GIN fastupdate), read in full
--    by every trigram search: an email substring took 8 ms, a user id prefix 4. The pending list is now kept
--    under 256 kB (gin_pending_list_limit), which costs a seed nothing; fastupdate off doubled its time.
-- 3. A name was matched with `display_name ILIKE`, which lower-cases the name of every row it tests (a common
--    term tests about 1,400 rows in sort order at 100,000 users). name_lower is the stored lower-cased name
--    (collation "C", like email), matched with LIKE against the lower-cased pattern: the same matches (ILIKE
--    lower-cases both sides with the same function) for a third less time per row. The name trigram and
--    prefix indexes are on name_lower.
-- 4. The banned and MFA filters read a sort index until 26 matches (1,000 rows for 2 % banned, 600 for Apple
--    with MFA). Partial indexes per sort over those users read about 26.
-- 5. Statistics targets and private.search_users_page(), below.
--
-- p50 at 100,000 users before → after, ms, the same machine: email substring 8.2 → 2.3, user id prefix 4.1 →
-- 1.3, banned 2.4 → 0.9, Apple with MFA 1.9 → 1.0, two-letter prefix 2.7 → 2.2; all ten searches of the bench,
-- p50 2.6 → 1.5 and p95 8.2 → 3.0 (1,000 users: about 1.2 and 2.0). Every index is maintained by the existing
-- triggers (the generated column follows display_name); a seed of 100,000 users takes as long as before.

alter table private.user_directory set (fillfactor = 50);

-- Replaced below.
drop index private.user_directory_providers_idx;
drop index private.user_directory_name_trgm_idx;
drop index private.user_directory_name_prefix_idx;
drop index private.user_directory_banned_idx;
drop index private.user_directory_mfa_idx;

-- Rewrites the table, at fillfactor 50.
alter table private.user_directory
  add column name_lower text collate "C" generated always as (lower(display_name)) stored;

alter index private.user_directory_email_trgm_idx set (gin_pending_list_limit = 256);
create index user_directory_name_trgm_idx on private.user_directory
  using gin (name_lower extensions.gin_trgm_ops) with (gin_pending_list_limit = 256);
-- Prefix search (LIKE 'ab%') for queries of one or two characters: byte order, as for email.
create index user_directory_name_prefix_idx on private.user_directory (name_lower);

-- Banned (at some time, now or past: `banned_until > now()` implies it) and MFA users, in each sort order.
create index user_directory_banned_created_idx on private.user_directory (created_at, id)
  where banned_until is not null;
create index user_directory_banned_last_sign_in_idx on private.user_directory
  ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id) where banned_until is not null;
create index user_directory_banned_email_idx on private.user_directory (email, id)
  where banned_until is not null;
create index user_directory_mfa_created_idx on private.user_directory (created_at, id) where has_mfa;
create index user_directory_mfa_last_sign_in_idx on private.user_directory
  ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id) where has_mfa;
create index user_directory_mfa_email_idx on private.user_directory (email, id) where has_mfa;

-- As in 20261205200100_search_users.sql, but a name is matched as name_lower LIKE: the pattern is lower-cased
-- already, and LIKE on a "C" column compares bytes.
create or replace function private.user_search_where(
  p_query text,
  p_role public.app_role,
  p_banned boolean,
  p_provider text,
  p_has_mfa boolean,
  out clause text,
  out like_pattern text,
  out prefix_pattern text,
  out id_lo uuid,
  out id_hi uuid
)
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  q text := lower(btrim(coalesce(p_query, '')));
  escaped text;
  hex text;
  parts text[] := '{}';
  search text[] := '{}';
begin
  if char_length(q) > 100 then
    raise exception 'search query too long' using errcode = '22023';
  end if;
  if q <> '' then
    escaped := replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_');
    if char_length(q) >= 3 then
      like_pattern := '%' || escaped || '%';
      search := search || array['d.email like $1', 'd.name_lower like $1'];
    else
      prefix_pattern := escaped || '%';
      search := search || array['d.email like $2', 'd.name_lower like $2'];
    end if;
    hex := replace(q, '-', '');
    if q ~ '^[0-9a-f-]+$' and hex ~ '^[0-9a-f]{4,32}$' then
      id_lo := rpad(hex, 32, '0')::uuid;
      id_hi := rpad(hex, 32, 'f')::uuid;
      search := search || 'd.id between $3 and $4'::text;
    end if;
    parts := parts || ('(' || array_to_string(search, ' or ') || ')');
  end if;
  if p_role is not null then
    parts := parts || 'd.role = $5'::text;
  end if;
  if p_banned is true then
    parts := parts || 'd.banned_until > now()'::text;
  elsif p_banned is false then
    parts := parts || '(d.banned_until is null or d.banned_until <= now())'::text;
  end if;
  if p_provider is not null then
    parts := parts || 'd.providers @> array[$6]'::text;
  end if;
  if p_has_mfa is not null then
    parts := parts || 'd.has_mfa = $7'::text;
  end if;
  clause := coalesce(nullif(array_to_string(parts, ' and '), ''), 'true');
end
$$;

revoke all on function private.user_search_where(text, public.app_role, boolean, text, boolean)
  from public, anon, authenticated, service_role;

-- One page of the search and the count in one call: what lib/admin/search-users.ts did with
-- private.search_users() and then, when the page was full or followed a cursor, private.search_users_count(),
-- in one round trip and one permission check (0.2 to 0.35 ms less for a search that is counted). The same rows, in the same order, as private.search_users()
-- with the same arguments; each row carries the total as private.search_users_count() gives it (exact up to
-- 1,000, the planner's estimate beyond), except that a first page shorter than p_limit is its own exact total.
-- No row, no total: a caller that gets no row from a cursor asks private.search_users_count(); without a
-- cursor the total is 0. Volatile: it runs EXPLAIN, as private.search_users_count() does.
create type private.user_search_row as (
  id uuid,
  email text,
  display_name text,
  providers text[],
  role public.app_role,
  banned_until timestamptz,
  has_mfa boolean,
  created_at timestamptz,
  last_sign_in_at timestamptz,
  cursor_key text
);

create function private.search_users_page(
  p_query text default null,
  p_sort text default 'created',
  p_descending boolean default true,
  p_role public.app_role default null,
  p_banned boolean default null,
  p_provider text default null,
  p_has_mfa boolean default null,
  p_limit integer default 50,
  p_after_key text default null,
  p_after_id uuid default null
)
returns table (
  id uuid,
  email text,
  display_name text,
  providers text[],
  role public.app_role,
  banned_until timestamptz,
  has_mfa boolean,
  created_at timestamptz,
  last_sign_in_at timestamptz,
  cursor_key text,
  total bigint,
  total_exact boolean
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  w record;
  sort_key text;
  key_type text;
  dir text := case when p_descending then 'desc' else 'asc' end;
  cmp text := case when p_descending then '<' else '>' end;
  after_clause text := 'true';
  lim integer := least(greatest(coalesce(p_limit, 50), 1), 201);
  page private.user_search_row[];
  n bigint;
  estimate bigint;
  plan jsonb;
  exact boolean := true;
  exact_up_to constant bigint := 1000;
begin
  if not private.authorize('users.read') then
    raise exception 'permission denied to search users' using errcode = '42501';
  end if;
  case p_sort
    when 'created' then sort_key := 'd.created_at'; key_type := 'timestamptz';
    when 'last_sign_in' then sort_key := 'coalesce(d.last_sign_in_at, ''-infinity''::timestamptz)'; key_type := 'timestamptz';
    when 'email' then sort_key := 'd.email'; key_type := 'text';
    else raise exception 'unknown sort %', p_sort using errcode = '22023';
  end case;
  if (p_after_key is null) <> (p_after_id is null) then
    raise exception 'a cursor needs both the sort key and the id' using errcode = '22023';
  end if;
  if p_after_id is not null then
    -- Cast here, once, so that a malformed key fails as invalid input (22007) before the query runs.
    if key_type = 'timestamptz' then
      perform p_after_key::timestamptz;
    end if;
    after_clause := format('(%s, d.id) %s ($8::%s, $9)', sort_key, cmp, key_type);
  end if;
  w := private.user_search_where(p_query, p_role, p_banned, p_provider, p_has_mfa);
  execute format(
    'select array(
       select row(d.id, nullif(d.email, '''')::text, d.display_name, d.providers, d.role, d.banned_until, d.has_mfa,
                  d.created_at, d.last_sign_in_at, %5$s)::private.user_search_row
       from private.user_directory d
       where %2$s and %3$s
       order by %1$s %4$s, d.id %4$s
       limit $10)',
    sort_key, w.clause, after_clause, dir,
    case key_type
      when 'text' then sort_key
      else format('case when %1$s = ''-infinity'' then ''-infinity'' else to_char(%1$s at time zone ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') end',
                  sort_key)
    end)
  into page
  using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa, p_after_key, p_after_id, lim;

  n := cardinality(page);
  -- As private.search_users_count(): the estimate, then an exact count up to 1,000 when it expects no more.
  if p_after_id is not null or n >= lim then
    execute format('explain (format json) select 1 from private.user_directory d where %s', w.clause)
    into plan
    using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa;
    estimate := round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric)::bigint;
    n := null;
    if estimate <= exact_up_to then
      execute format('select count(*) from (select 1 from private.user_directory d where %s limit %s) x', w.clause, exact_up_to + 1)
      into n
      using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa;
    end if;
    if n is null or n > exact_up_to then
      n := greatest(exact_up_to + 1, estimate);
      exact := false;
    end if;
  end if;
  return query select r.*, n, exact from unnest(page) r;
end
$$;

revoke all on function private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)
  from public, anon, service_role;
grant execute on function private.search_users_page(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)
  to authenticated;

-- The planner's estimate of a substring search decides between the sort index (stop at the page's last
-- match) and the trigram indexes (every match, then sorted), and whether to count exactly. It comes from the
-- column's histogram: at the default 100 buckets a term held by 2 % of the users was estimated anywhere from
-- 160 to 6,800 of 100,000 from one ANALYZE to the next, and an estimate of 160 read all 2,000 matches and
-- counted them (7.5 ms instead of 2.5). 500 buckets: ANALYZE samples 150,000 rows, and planning a substring
-- search takes 0.08 ms more.
alter table private.user_directory alter column email set statistics 500, alter column name_lower set statistics 500;

-- Statistics for name_lower, so that the next search is planned on them.
analyze private.user_directory;
