-- The admin user search (issue 11) over private.user_directory: substring search on email and name, a user id
-- prefix, filters (role, banned or active, provider, has MFA), three keyset sorts, and a result count that is
-- exact up to 1,000 and the planner's estimate beyond.
--
-- Security definer, on purpose, with the permission checked first thing: the caller's current role must hold
-- users.read and their session must be live (private.authorize), else 42501 and nothing is read. The same
-- rule as the table's RLS policy, which still guards every direct read. Why not security invoker under that
-- policy: a query under RLS may not use the column statistics with operators that are not leakproof (LIKE,
-- ILIKE, the trigram and array operators, enum equality), so Postgres plans it on default selectivities;
-- measured at 100,000 users, it then scans the table for a substring search and walks the wrong index for a
-- role filter (30-160 ms instead of a few). As the owner, the query is planned on the real statistics. The
-- function takes no user id and returns only the directory's columns, for every user: exactly what
-- users.read allows.
--
-- Each query is built from fixed fragments (the sort column and direction come from a whitelist) and run with
-- EXECUTE … USING: every value is a parameter, and each call is planned for its own values, so that Postgres
-- picks the trigram index for a rare term and the sort index for a common one.

-- The WHERE clause for a query and filters, over `d` (private.user_directory), with its parameters
-- $1 substring pattern, $2 prefix pattern, $3..$4 id range, $5 role, $6 provider, $7 has_mfa.
-- - Query: lower-cased and trimmed, LIKE wildcards escaped. Three characters or more: substring of the email
--   or the name (trigram indexes). One or two: prefix of the email or of the name (btree), since trigrams
--   cannot index a shorter substring. Four to 32 hex digits (dashes allowed, as in a pasted uuid): also a
--   prefix of the user id, as a range on the primary key.
-- - banned: true, banned now (banned_until in the future); false, not banned now.
create function private.user_search_where(
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
      search := search || array['d.email like $1', 'd.display_name ilike $1'];
    else
      prefix_pattern := escaped || '%';
      search := search || array['d.email like $2', '(lower(d.display_name) collate "C") like $2'];
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

-- One page of users. p_sort: 'created' | 'last_sign_in' | 'email'; a user who never signed in sorts as
-- -infinity (last in descending order). Keyset pagination: pass the last row's cursor_key and id to get the
-- rows after it; cursor_key is the sort value as text, whatever the session's TimeZone and DateStyle: the
-- email, or the time in UTC to the microsecond (2026-12-05T08:03:12.353860Z), or -infinity.
-- At most p_limit rows (1 to 201): ask for one more than the page size to know whether there is a next page.
create function private.search_users(
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
  cursor_key text
)
language plpgsql
stable
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
  return query execute format(
    'select d.id, nullif(d.email, '''')::text, d.display_name, d.providers, d.role, d.banned_until, d.has_mfa,
            d.created_at, d.last_sign_in_at, %5$s
     from private.user_directory d
     where %2$s and %3$s
     order by %1$s %4$s, d.id %4$s
     limit $10',
    sort_key, w.clause, after_clause, dir,
    case key_type
      when 'text' then sort_key
      else format('case when %1$s = ''-infinity'' then ''-infinity'' else to_char(%1$s at time zone ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') end',
                  sort_key)
    end)
  using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa, p_after_key, p_after_id, lim;
end
$$;

-- How many users match. First the planner's estimate (a plan, no scan). When it expects at most 1,000 rows
-- the users are counted exactly, up to 1,000; beyond, or when the count passes 1,000, the estimate is the
-- answer (exact = false, never below 1,001). Measured at 100,000 users, an exact count of a common term is
-- the slow part of a search: the trigram indexes yield thousands of candidates to recheck ('lovelace', 2,230
-- users: 25 ms through the indexes, 40 ms by a scan, against 6 ms for the page and 1 ms for the estimate).
-- A caller that got a first page shorter than its page size already knows the exact total and need not ask
-- (lib/admin/search-users.ts then does not ask). Volatile: it runs EXPLAIN, which a stable function may not.
create function private.search_users_count(
  p_query text default null,
  p_role public.app_role default null,
  p_banned boolean default null,
  p_provider text default null,
  p_has_mfa boolean default null
)
returns table (total bigint, exact boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  w record;
  n bigint;
  estimate bigint;
  plan jsonb;
  exact_up_to constant bigint := 1000;
begin
  if not private.authorize('users.read') then
    raise exception 'permission denied to search users' using errcode = '42501';
  end if;
  w := private.user_search_where(p_query, p_role, p_banned, p_provider, p_has_mfa);
  execute format('explain (format json) select 1 from private.user_directory d where %s', w.clause)
  into plan
  using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa;
  estimate := round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric)::bigint;
  if estimate <= exact_up_to then
    execute format('select count(*) from (select 1 from private.user_directory d where %s limit %s) x', w.clause, exact_up_to + 1)
    into n
    using w.like_pattern, w.prefix_pattern, w.id_lo, w.id_hi, p_role, p_provider, p_has_mfa;
    if n <= exact_up_to then
      return query select n, true;
      return;
    end if;
  end if;
  return query select greatest(exact_up_to + 1, estimate), false;
end
$$;

revoke all on function private.user_search_where(text, public.app_role, boolean, text, boolean)
  from public, anon, authenticated, service_role;
revoke all on function private.search_users(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)
  from public, anon, service_role;
revoke all on function private.search_users_count(text, public.app_role, boolean, text, boolean) from public, anon, service_role;
grant execute on function private.search_users(text, text, boolean, public.app_role, boolean, text, boolean, integer, text, uuid)
  to authenticated;
grant execute on function private.search_users_count(text, public.app_role, boolean, text, boolean) to authenticated;
