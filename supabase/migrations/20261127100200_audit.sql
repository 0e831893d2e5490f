-- Append-only audit trail of admin actions and security-relevant account changes, written by the app in
-- the same transaction as the change it records, plus a read view that shows the Auth server's own
-- entries (sign-ins, sign-outs, token revocations…) next to it.

-- No foreign keys to auth.users: rows must outlive the users they name.
create table public.audit_events (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  actor_id uuid,
  action text not null check (action ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' and char_length(action) <= 64),
  target_user_id uuid,
  ip inet,
  user_agent text check (char_length(user_agent) <= 1024),
  request_id text check (char_length(request_id) <= 128),
  before jsonb,
  after jsonb
);
create index audit_events_created_at_idx on public.audit_events (created_at desc);
create index audit_events_actor_id_idx on public.audit_events (actor_id, created_at desc);
create index audit_events_target_user_id_idx on public.audit_events (target_user_id, created_at desc);

-- The row's time is the time of the transaction that wrote it; a writer cannot backdate an entry.
create function private.audit_events_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.created_at := now();
  return new;
end
$$;

-- Privileges alone do not stop a superuser or the table owner (who can grant itself anything back);
-- this trigger does. `enable always` keeps it firing under session_replication_role = replica.
create function private.audit_events_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'public.audit_events is append-only: % is not allowed', tg_op
    using errcode = '42501';
end
$$;
revoke all on function private.audit_events_stamp() from public;
revoke all on function private.audit_events_append_only() from public;

create trigger audit_events_stamp
  before insert on public.audit_events
  for each row execute function private.audit_events_stamp();

create trigger audit_events_no_update_delete
  before update or delete on public.audit_events
  for each row execute function private.audit_events_append_only();

create trigger audit_events_no_truncate
  before truncate on public.audit_events
  for each statement execute function private.audit_events_append_only();

alter table public.audit_events enable always trigger audit_events_no_update_delete;
alter table public.audit_events enable always trigger audit_events_no_truncate;

alter table public.audit_events enable row level security;
alter table public.audit_events force row level security;
revoke all on table public.audit_events from anon, authenticated;
revoke update, delete, truncate on table public.audit_events from public, postgres, service_role;
grant select, insert on table public.audit_events to authenticated;

create policy audit_events_select on public.audit_events
  for select to authenticated
  using ((select private.authorize('audit.read')));

-- Anyone signed in may record their own actions (the app writes them next to the change); nobody may
-- write an entry in someone else's name.
create policy audit_events_insert on public.audit_events
  for insert to authenticated
  with check (actor_id = (select auth.uid()) and (select private.session_is_active()));

-- The Auth server's audit log, readable with audit.read only. A definer view (owned by postgres, which may
-- read auth.audit_log_entries; authenticated may not) in the unexposed schema; security_barrier keeps
-- callers' leaky predicates from running before the permission filter.
create view private.auth_audit_log
with (security_barrier = true)
as
select
  e.id,
  e.created_at,
  case
    when a.actor ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and a.actor <> '00000000-0000-0000-0000-000000000000'
    then a.actor::uuid
  end as actor_id,
  e.payload ->> 'action' as action,
  case
    when a.target ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and a.target <> '00000000-0000-0000-0000-000000000000'
    then a.target::uuid
  end as target_user_id,
  nullif(e.ip_address, '') as ip,
  e.payload::jsonb as details
from auth.audit_log_entries e
cross join lateral (
  select
    e.payload ->> 'actor_id' as actor,
    coalesce(e.payload -> 'traits' ->> 'user_id', e.payload ->> 'actor_id') as target
) a
where (select private.authorize('audit.read'));

revoke all on table private.auth_audit_log from public;
grant select on table private.auth_audit_log to authenticated;

-- One shape for both sources. security_invoker: audit_events rows go through their RLS policy as the
-- caller; the Auth server's rows through the permission filter of private.auth_audit_log.
create view public.audit_log
with (security_invoker = true)
as
select
  'app'::text as source,
  ev.id,
  ev.created_at,
  ev.actor_id,
  ev.action,
  ev.target_user_id,
  host(ev.ip) as ip,
  jsonb_build_object(
    'before', ev.before,
    'after', ev.after,
    'user_agent', ev.user_agent,
    'request_id', ev.request_id
  ) as details
from public.audit_events ev
union all
select
  'auth'::text as source,
  au.id,
  au.created_at,
  au.actor_id,
  au.action,
  au.target_user_id,
  au.ip,
  au.details
from private.auth_audit_log au;

revoke all on table public.audit_log from anon, authenticated, service_role;
grant select on table public.audit_log to authenticated;
