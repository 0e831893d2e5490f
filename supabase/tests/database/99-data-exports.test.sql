-- Export my data: public.data_exports (RLS: a user reads their own rows, nobody writes them directly) and
-- private.begin_data_export() (session, step-up, at most 3 exports per hour per user, one audit row each).
begin;
create extension if not exists pgtap with schema extensions;

select plan(34);

\set personas '{alice,bob,carol,revoked,banned,reused}'
\ir fixtures/matrix.psql

create function pg_temp.exports_of(who text) returns int language sql stable
as $$ select count(*)::int from public.data_exports where user_id = pg_temp.uid(who) $$;
create function pg_temp.export_audit_rows(who text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where target_user_id = pg_temp.uid(who) and action = 'account.export' $$;

-- The SQLSTATE and DETAIL begin_data_export() raises as the current role, or 'ok'.
create function pg_temp.export_outcome() returns text language plpgsql as $$
declare
  state text;
  detail text;
begin
  perform private.begin_data_export('203.0.113.5', 'Export UA', 'req-export');
  return 'ok';
exception when others then
  get stacked diagnostics state = returned_sqlstate, detail = pg_exception_detail;
  return state || coalesce(':' || nullif(detail, ''), '');
end
$$;
grant execute on function pg_temp.export_outcome() to public;

-- ---------------------------------------------------------------------------------------------------
-- Who may start an export
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select * from private.begin_data_export()$$, '42501', null, 'anon cannot start an export');
select throws_ok($$select * from public.data_exports$$, '42501', null, 'anon cannot read exports');
reset role;
select pg_temp.act_as('revoked');
select is(pg_temp.export_outcome(), '42501', 'a deleted session cannot export');
reset role;
select pg_temp.act_as('reused');
select is(pg_temp.export_outcome(), '42501', 'a session whose refresh tokens were revoked cannot export');
reset role;
select pg_temp.act_as('banned');
select is(pg_temp.export_outcome(), '42501', 'a banned user cannot export');
reset role;

update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes' where session_id = pg_temp.sid('carol');
select pg_temp.act_as('carol');
select is(pg_temp.export_outcome(), 'SU001:recent_sign_in', 'a stale sign-in must step up first');
reset role;
select is(pg_temp.exports_of('carol'), 0, 'the refused export left no row');
select is(pg_temp.export_audit_rows('carol'), 0, 'and no audit row');

-- ---------------------------------------------------------------------------------------------------
-- The limit: 3 per hour
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select results_eq($$select started_at from private.begin_data_export('203.0.113.5', 'Export UA', 'req-1')$$, $$values (now())$$,
  'alice starts her first export');
select is(pg_temp.export_outcome(), 'ok', 'her second');
select is(pg_temp.export_outcome(), 'ok', 'her third');
select is(pg_temp.export_outcome(), 'RL001:3600', 'the fourth in the hour is refused: RL001, retry after 3600 seconds');
select throws_ok($$select * from private.begin_data_export()$$, 'RL001', 'export_rate_limited', 'its message is export_rate_limited');
reset role;
select is(pg_temp.exports_of('alice'), 3, 'three export rows, none for the refusals');
select is(pg_temp.export_audit_rows('alice'), 3, 'three audit rows, none for the refusals');
select results_eq(
  $$select actor_id, host(ip), user_agent, request_id, after ? 'export_id'
    from public.audit_events where target_user_id = pg_temp.uid('alice') and action = 'account.export' and request_id = 'req-1'$$,
  $$values (pg_temp.uid('alice'), '203.0.113.5', 'Export UA', 'req-1', true)$$,
  'the audit row names the actor, the request and the export');
select ok(
  (select bool_and(e.after ->> 'export_id' = x.id::text) from public.audit_events e
   join public.data_exports x on x.request_id = e.request_id and x.user_id = e.target_user_id
   where e.target_user_id = pg_temp.uid('alice') and e.action = 'account.export' and e.request_id = 'req-1'),
  'the audit row''s export id is the export''s row');

-- The window slides: the oldest export 50 minutes ago, the others now.
update public.data_exports set created_at = now() - interval '50 minutes'
where id = (select id from public.data_exports where user_id = pg_temp.uid('alice') order by created_at, id limit 1);
select pg_temp.act_as('alice');
select is(pg_temp.export_outcome(), 'RL001:600', 'retry after: when the oldest export of the window is an hour old (600 s)');
reset role;
update public.data_exports set created_at = now() - interval '61 minutes'
where id = (select id from public.data_exports where user_id = pg_temp.uid('alice') order by created_at, id limit 1);
select pg_temp.act_as('alice');
select is(pg_temp.export_outcome(), 'ok', 'an export older than an hour no longer counts');
select is(pg_temp.export_outcome(), 'RL001:3600', 'and the window is full again');
reset role;

-- Another user's exports are counted separately.
select pg_temp.act_as('bob');
select is(pg_temp.export_outcome(), 'ok', 'bob''s first export is not limited by alice''s');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- RLS on public.data_exports
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select is((select count(*)::int from public.data_exports), 4, 'alice reads her own four exports');
select is((select count(*)::int from public.data_exports where user_id = pg_temp.uid('bob')), 0, 'and none of bob''s');
select throws_ok(format('insert into public.data_exports (user_id) values (%L)', pg_temp.uid('alice')), '42501', null,
  'alice cannot insert an export row herself');
select throws_ok($$update public.data_exports set created_at = now() - interval '2 hours'$$, '42501', null,
  'nor age her exports to escape the limit');
select throws_ok($$delete from public.data_exports$$, '42501', null, 'nor delete them');
select throws_ok($$truncate public.data_exports$$, '42501', null, 'nor truncate them');
reset role;
select pg_temp.act_as('bob');
select is((select count(*)::int from public.data_exports), 1, 'bob reads his one export');
reset role;
select pg_temp.act_as('revoked');
select is((select count(*)::int from public.data_exports), 0, 'a deleted session reads nothing');
reset role;

delete from auth.users where id = pg_temp.uid('bob');
select is((select count(*)::int from public.data_exports where user_id = pg_temp.uid('bob')), 0, 'the rows go with the user');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select ok((select prosecdef from pg_proc where oid = 'private.begin_data_export(inet, text, text)'::regprocedure),
  'begin_data_export is security definer');
select ok(
  has_function_privilege('authenticated', 'private.begin_data_export(inet, text, text)', 'execute')
  and not has_function_privilege('anon', 'private.begin_data_export(inet, text, text)', 'execute')
  and not has_function_privilege('service_role', 'private.begin_data_export(inet, text, text)', 'execute'),
  'only authenticated may start an export');
select ok((select relrowsecurity and relforcerowsecurity from pg_class where oid = 'public.data_exports'::regclass),
  'public.data_exports has RLS, forced');
select is(
  (select array_agg(privilege_type::text order by privilege_type) from information_schema.role_table_grants
   where table_schema = 'public' and table_name = 'data_exports' and grantee = 'authenticated'),
  array['SELECT'], 'authenticated holds SELECT only');

select * from finish();
rollback;
