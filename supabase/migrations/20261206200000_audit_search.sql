-- The audit log page of the admin dashboard (issue 11): every row of public.audit_events, newest first, filtered
-- by actor, target, action and time range, in keyset pages; the CSV export reads the same pages in batches.
--
-- Security definer with the permission checked first thing, like private.search_users(): the caller's current
-- role must hold audit.read and their session must be live (private.authorize), else 42501 and nothing is read.
-- The table's own RLS policy asks the same. The function also shows the actor's and the target's email from
-- private.user_directory (readable with users.read), which every role holding audit.read also holds.
--
-- The query is built from fixed fragments and run with EXECUTE … USING: each call is planned for the filters
-- it has, so a call with an action uses the action index and a call with an actor the actor index, instead of
-- one generic plan of `(p is null or col = p)` conditions that can use none.

-- Keyset order is (created_at, id) descending; rows written in one transaction share created_at, so id breaks
-- the tie. This index replaces audit_events_created_at_idx (created_at desc), which it covers.
create index audit_events_created_id_idx on public.audit_events (created_at desc, id desc);
drop index public.audit_events_created_at_idx;
-- The action filter, and the list of actions that occur (a skip scan over its leading column).
create index audit_events_action_idx on public.audit_events (action, created_at desc, id desc);
-- The actor and target filters use audit_events_actor_id_idx and audit_events_target_user_id_idx
-- ((user, created_at desc)); the id tie-break within one instant is an incremental sort of a few rows.

-- The users a filter names: a user id (the whole uuid), or an email (any case) as the directory holds it.
-- Empty when nobody has that email now (a deleted user is found by id only: rows outlive users).
create function private.audit_filter_users(p_who text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  who text := lower(btrim(p_who));
begin
  if who ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return array[who::uuid];
  end if;
  if who = '' then
    return '{}';
  end if;
  return array(select d.id from private.user_directory d where d.email = who);
end
$$;

-- One page of audit events, newest first. Filters (each optional): p_actor and p_target, a user id or an email;
-- p_action, an action name; p_from (inclusive) and p_to (exclusive), the time range. Keyset pagination: pass
-- the last row's cursor_at and id to get the rows after it; cursor_at is created_at in UTC to the microsecond
-- (2026-12-05T08:03:12.353860Z), whatever the session's TimeZone. At most p_limit rows (1 to 501): ask for one
-- more than the page size to know whether there is a next page.
create function private.search_audit_events(
  p_actor text default null,
  p_target text default null,
  p_action text default null,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_limit integer default 50,
  p_after_at text default null,
  p_after_id uuid default null
)
returns table (
  id uuid,
  created_at timestamptz,
  cursor_at text,
  actor_id uuid,
  actor_email text,
  action text,
  target_user_id uuid,
  target_email text,
  reason text,
  ip text,
  before jsonb,
  after jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  parts text[] := '{}';
  actors uuid[];
  targets uuid[];
  after_at timestamptz;
  lim integer := least(greatest(coalesce(p_limit, 50), 1), 501);
begin
  if not private.authorize('audit.read') then
    raise exception 'permission denied to read the audit log' using errcode = '42501';
  end if;
  if (p_after_at is null) <> (p_after_id is null) then
    raise exception 'a cursor needs both the time and the id' using errcode = '22023';
  end if;
  if p_action is not null and not (p_action ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' and char_length(p_action) <= 64) then
    raise exception 'not an action name' using errcode = '22023';
  end if;
  if char_length(p_actor) > 320 or char_length(p_target) > 320 then
    raise exception 'user filter too long' using errcode = '22023';
  end if;
  if p_actor is not null then
    actors := private.audit_filter_users(p_actor);
    if cardinality(actors) = 0 then
      return;
    end if;
    parts := parts || 'e.actor_id = any ($1)'::text;
  end if;
  if p_target is not null then
    targets := private.audit_filter_users(p_target);
    if cardinality(targets) = 0 then
      return;
    end if;
    parts := parts || 'e.target_user_id = any ($2)'::text;
  end if;
  if p_action is not null then
    parts := parts || 'e.action = $3'::text;
  end if;
  if p_from is not null then
    parts := parts || 'e.created_at >= $4'::text;
  end if;
  if p_to is not null then
    parts := parts || 'e.created_at < $5'::text;
  end if;
  if p_after_id is not null then
    -- Cast here, once, so that a malformed time fails as invalid input (22007) before the query runs.
    after_at := p_after_at::timestamptz;
    parts := parts || '(e.created_at, e.id) < ($6, $7)'::text;
  end if;
  return query execute format(
    'select p.id, p.created_at,
            to_char(p.created_at at time zone ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"''),
            p.actor_id, nullif(a.email, '''')::text, p.action, p.target_user_id, nullif(t.email, '''')::text,
            coalesce(p.after ->> ''reason'', p.before ->> ''reason''), host(p.ip), p.before, p.after
     from (
       select e.id, e.created_at, e.actor_id, e.action, e.target_user_id, e.ip, e.before, e.after
       from public.audit_events e
       where %s
       order by e.created_at desc, e.id desc
       limit $8
     ) p
     left join private.user_directory a on a.id = p.actor_id
     left join private.user_directory t on t.id = p.target_user_id
     order by p.created_at desc, p.id desc',
    coalesce(nullif(array_to_string(parts, ' and '), ''), 'true'))
  using actors, targets, p_action, p_from, p_to, after_at, p_after_id, lim;
end
$$;

-- The actions that occur in the log, in order: one index probe per distinct action (a skip scan over
-- audit_events_action_idx), however many rows each has.
create function private.audit_event_actions()
returns setof text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.authorize('audit.read') then
    raise exception 'permission denied to read the audit log' using errcode = '42501';
  end if;
  return query
  with recursive a (action) as (
    (select e.action from public.audit_events e order by e.action limit 1)
    union all
    select (select e.action from public.audit_events e where e.action > a.action order by e.action limit 1)
    from a
    where a.action is not null
  )
  select a.action from a where a.action is not null;
end
$$;

revoke all on function private.audit_filter_users(text) from public, anon, authenticated, service_role;
revoke all on function private.search_audit_events(text, text, text, timestamptz, timestamptz, integer, text, uuid)
  from public, anon, service_role;
revoke all on function private.audit_event_actions() from public, anon, service_role;
grant execute on function private.search_audit_events(text, text, text, timestamptz, timestamptz, integer, text, uuid)
  to authenticated;
grant execute on function private.audit_event_actions() to authenticated;
