-- Export my data (account settings): each export the user starts is one row here, written together with its
-- audit row by private.begin_data_export(). The rows are the rate limit: at most 3 exports in any hour
-- (a sliding window over created_at), counted in Postgres so that the limit holds across every app
-- instance. A user reads their own rows (the export page shows how many are left, and the export lists
-- them); nobody writes them except that function. They go with the user (on delete cascade).

create table public.data_exports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  request_id text check (char_length(request_id) <= 128)
);
create index data_exports_user_id_created_at_idx on public.data_exports (user_id, created_at desc);

alter table public.data_exports enable row level security;
alter table public.data_exports force row level security;
revoke all on table public.data_exports from anon, authenticated, service_role;
grant select on table public.data_exports to authenticated;

create policy data_exports_select on public.data_exports
  for select to authenticated
  using (user_id = (select auth.uid()) and (select private.session_is_active()));

-- Starts an export for the caller: session active (42501 otherwise), step-up (SU001, private.assert_step_up),
-- then the limit. Two exports of one user at the same moment are serialised by a transaction-level advisory
-- lock on the user, so both cannot pass the count. A refusal raises SQLSTATE RL001 `export_rate_limited`
-- whose DETAIL is the number of seconds until the oldest export of the window leaves it; nothing is written.
-- Otherwise the export's row and its `account.export` audit row are written in this transaction.
create function private.begin_data_export(
  p_ip inet default null,
  p_user_agent text default null,
  p_request_id text default null
)
returns table (export_id uuid, started_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  max_exports constant integer := 3;
  window_length constant interval := interval '1 hour';
  recent integer;
  oldest timestamptz;
  new_id uuid;
begin
  if caller is null or not private.session_is_active() then
    raise exception 'permission denied to export data' using errcode = '42501';
  end if;
  perform private.assert_step_up();
  perform pg_advisory_xact_lock(hashtextextended('public.data_exports:' || caller::text, 0));
  select count(*)::integer, min(e.created_at) into recent, oldest
  from public.data_exports e
  where e.user_id = caller and e.created_at > now() - window_length;
  if recent >= max_exports then
    raise exception 'export_rate_limited'
      using errcode = 'RL001',
            detail = greatest(1, ceil(extract(epoch from (oldest + window_length - now()))))::bigint::text,
            hint = format('at most %s exports per %s', max_exports, window_length);
  end if;
  insert into public.data_exports (user_id, request_id)
  values (caller, left(p_request_id, 128))
  returning id into new_id;
  insert into public.audit_events (actor_id, action, target_user_id, ip, user_agent, request_id, after)
  values (caller, 'account.export', caller, p_ip, left(p_user_agent, 1024), left(p_request_id, 128),
          jsonb_build_object('export_id', new_id));
  return query select new_id, now();
end
$$;

revoke all on function private.begin_data_export(inet, text, text) from public, anon, service_role;
grant execute on function private.begin_data_export(inet, text, text) to authenticated;
