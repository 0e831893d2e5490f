-- The admin user search at 100,000 users, second step: a substring or prefix search in sort order reads the
-- sort index until the page is full, and tested each row it passed on the heap. A term held by 2 % of the
-- users passes about 1,800 rows for a page of 26, on as many heap pages (the sort order has nothing to do with
-- where a row lies): 1,850 buffers, 2.3 ms with every page cached and 8 ms when the pages have to come from the
-- operating system, where the Auth server's own searches, running between them, leave them.
--
-- 1. The three sort indexes carry email and name_lower (INCLUDE), so the rows a search passes are tested in
--    the index alone (an index-only scan) on pages the visibility map marks all-visible: about 25 index pages
--    for the same search. last_sign_in_at is included too, so the index on its coalesce() can serve an
--    index-only scan. Each index is about twice its size (5 MB to 10 MB at 100,000 users).
-- 2. private.search_users_page() finds the page's ids and sort values first (the index-only part) and reads
--    those rows by primary key afterwards: the same rows, order, cursors and totals.
-- 3. The visibility map is what autovacuum keeps: every sign-in rewrites the user's row (last_sign_in_at),
--    which clears its page's bit until the next vacuum, and by default the table is vacuumed after a fifth of
--    its rows changed. At 1 % it is vacuumed after 1,000 changes at 100,000 users (under a second), so that
--    most pages stay all-visible. `npm run seed:users` vacuums what it wrote, as after any bulk load.
--
-- The plan alone at 100,000 users, same machine: name substring (lovelace) 2.3 → 0.34 ms with the heap
-- cached, 8 → 0.5 ms without. Before a vacuum (right after a bulk load, or on pages changed since) the scan
-- reads the heap for those rows, as before.

drop index private.user_directory_created_idx;
drop index private.user_directory_last_sign_in_idx;
drop index private.user_directory_email_idx;

create index user_directory_created_idx on private.user_directory (created_at, id) include (email, name_lower);
create index user_directory_last_sign_in_idx on private.user_directory
  ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id) include (last_sign_in_at, email, name_lower);
create index user_directory_email_idx on private.user_directory (email, id) include (name_lower);

alter table private.user_directory set (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_insert_scale_factor = 0.01
);

-- As in 20261206500000_user_search_scale.sql, but the page's ids and sort values come first, then its rows.
create or replace function private.search_users_page(
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
       select row(u.id, nullif(u.email, '''')::text, u.display_name, u.providers, u.role, u.banned_until, u.has_mfa,
                  u.created_at, u.last_sign_in_at, %5$s)::private.user_search_row
       from (select d.id, %1$s as sort_value
             from private.user_directory d
             where %2$s and %3$s
             order by %1$s %4$s, d.id %4$s
             limit $10) k
       join private.user_directory u on u.id = k.id
       order by k.sort_value %4$s, k.id %4$s)',
    sort_key, w.clause, after_clause, dir,
    case key_type
      when 'text' then 'k.sort_value'
      else 'case when k.sort_value = ''-infinity'' then ''-infinity'' else to_char(k.sort_value at time zone ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') end'
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
