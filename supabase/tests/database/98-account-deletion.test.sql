-- Delete account: private.request_account_deletion() (session and step-up checked, a request recorded) and
-- the before-delete trigger on auth.users that writes the `account.delete` audit row, without personal data,
-- in the transaction of the Auth server's deletion.
begin;
create extension if not exists pgtap with schema extensions;

select plan(36);

\set personas '{alice,bob,carol,dave,revoked,banned}'
\ir fixtures/matrix.psql

create function pg_temp.requests_of(who text) returns int language sql stable
as $$ select count(*)::int from private.account_deletion_requests where user_id = pg_temp.uid(who) $$;
create function pg_temp.deletion_rows(who text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where target_user_id = pg_temp.uid(who) and action = 'account.delete' $$;

-- alice has a linked identity and a second session, so that the cascade has something to take.
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
values ('google-alice', pg_temp.uid('alice'), '{"email": "alice@rls.test", "full_name": "Alice"}', 'google', now(), now());
insert into auth.sessions (id, user_id, created_at, updated_at, aal)
values ('00000000-0000-4000-8000-0000000de1e1', pg_temp.uid('alice'), now(), now(), 'aal1');

-- ---------------------------------------------------------------------------------------------------
-- request_account_deletion()
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('anon');
select throws_ok($$select private.request_account_deletion()$$, '42501', null, 'anon cannot request a deletion');
reset role;

select pg_temp.act_as('revoked');
select throws_ok($$select private.request_account_deletion()$$, '42501', null, 'a deleted session cannot request a deletion');
reset role;
select pg_temp.act_as('banned');
select throws_ok($$select private.request_account_deletion()$$, '42501', null, 'a banned user cannot request a deletion');
reset role;

update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes' where session_id = pg_temp.sid('bob');
select pg_temp.act_as('bob');
select throws_ok($$select private.request_account_deletion('req-bob')$$, 'SU001', 'step_up_required',
  'a session whose sign-in is 11 minutes old must step up first');
reset role;
select is(pg_temp.requests_of('bob'), 0, 'the refused call recorded no request');

select pg_temp.act_as('alice');
select is(private.request_account_deletion('req-d1'), now(), 'alice, signed in just now, requests the deletion');
select is(private.request_account_deletion('req-d2'), now(), 'asking again replaces the request');
select throws_ok($$select * from private.account_deletion_requests$$, '42501', null, 'the requests table is not readable by users');
select throws_ok(format('insert into private.account_deletion_requests (user_id, session_id) values (%L, %L)', pg_temp.uid('bob'), pg_temp.sid('bob')),
  '42501', null, 'nor writable: nobody files a request for someone else');
reset role;
select results_eq(
  $$select session_id, request_id from private.account_deletion_requests where user_id = pg_temp.uid('alice')$$,
  $$values (pg_temp.sid('alice'), 'req-d2'::text)$$,
  'one request for alice, from her session, with the latest request id');
select is(pg_temp.requests_of('bob'), 0, 'nothing for bob');

-- The last admin cannot delete their own account: the request is refused before the Auth server is asked.
delete from private.account_deletion_requests where user_id = pg_temp.uid('alice');
update public.user_roles set role = 'user' where role = 'admin';
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('alice');
select pg_temp.act_as('alice');
select throws_ok($$select private.request_account_deletion('req-last')$$, 'ADM02', 'This user is the last admin',
  'the last admin cannot request the deletion of their own account');
reset role;
select is(pg_temp.requests_of('alice'), 0, 'the refusal recorded no request');
update public.user_roles set role = 'admin' where user_id = pg_temp.uid('dave');
update auth.users set banned_until = now() + interval '1 day' where id = pg_temp.uid('dave');
select pg_temp.act_as('alice');
select throws_ok($$select private.request_account_deletion('req-last')$$, 'ADM02', 'This user is the last admin',
  'a banned admin does not count as another admin');
reset role;
update auth.users set banned_until = null where id = pg_temp.uid('dave');
select pg_temp.act_as('alice');
select is(private.request_account_deletion('req-d2'), now(), 'with another active admin, the request is recorded');
reset role;
update public.user_roles set role = 'user' where user_id in (pg_temp.uid('alice'), pg_temp.uid('dave'));

-- ---------------------------------------------------------------------------------------------------
-- The deletion, as the Auth server does it (its own role)
-- ---------------------------------------------------------------------------------------------------

select count(*)::int as audit_total from public.audit_events \gset
set local role supabase_auth_admin;
delete from auth.users where id = pg_temp.uid('alice');
reset role;

select is(pg_temp.deletion_rows('alice'), 1, 'the deletion wrote one account.delete audit row');
select results_eq(
  $$select actor_id, target_user_id, ip, user_agent, request_id, before, after
    from public.audit_events where target_user_id = pg_temp.uid('alice') and action = 'account.delete'$$,
  $$values (pg_temp.uid('alice'), pg_temp.uid('alice'), null::inet, null::text, 'req-d2'::text, null::jsonb,
            jsonb_build_object('sessions_ended', 2))$$,
  'the row: the former id, the request id, the sessions ended; no IP, no user agent');
select ok(
  (select row_to_json(e)::text from public.audit_events e where target_user_id = pg_temp.uid('alice') and action = 'account.delete')
    !~* '(alice|@|rls\.test)',
  'no email or name anywhere in the row');
select is((select count(*)::int from public.audit_events), :audit_total + 1, 'exactly one audit row was written');

select is((select count(*)::int from auth.users where id = pg_temp.uid('alice')), 0, 'the user is gone');
select is((select count(*)::int from auth.sessions where user_id = pg_temp.uid('alice')), 0, 'every session ended');
select is((select count(*)::int from auth.refresh_tokens where user_id = pg_temp.uid('alice')::text), 0, 'with their refresh tokens');
select is((select count(*)::int from auth.mfa_amr_claims where session_id in (pg_temp.sid('alice'), '00000000-0000-4000-8000-0000000de1e1')), 0,
  'and their sign-in records');
select is((select count(*)::int from auth.identities where user_id = pg_temp.uid('alice')), 0, 'the identities are gone');
select is((select count(*)::int from public.profiles where id = pg_temp.uid('alice')), 0, 'the profile is gone');
select is((select count(*)::int from public.user_roles where user_id = pg_temp.uid('alice')), 0, 'the role is gone');
select is(pg_temp.requests_of('alice'), 0, 'the request went with the user');

select pg_temp.act_as('alice');
select ok(not private.session_is_active(), 'alice''s remaining access token is refused');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- Deletions that the user did not ask for, or asked for too long ago
-- ---------------------------------------------------------------------------------------------------

delete from auth.users where id = pg_temp.uid('carol');
select is(pg_temp.deletion_rows('carol'), 0, 'a deletion without a request (staff) writes no account.delete row');

select pg_temp.act_as('dave');
select lives_ok($$select private.request_account_deletion('req-dave')$$, 'dave requests a deletion');
reset role;
update private.account_deletion_requests set requested_at = now() - interval '6 minutes' where user_id = pg_temp.uid('dave');
delete from auth.users where id = pg_temp.uid('dave');
select is(pg_temp.deletion_rows('dave'), 0, 'a request older than 5 minutes is not taken as the user''s');

-- A request survives only with its user; bob's own deletion later is not his request.
select is(pg_temp.deletion_rows('bob'), 0, 'bob, who was refused, has no deletion row');

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select ok(
  (select bool_and(prosecdef) from pg_proc
   where oid in ('private.request_account_deletion(text)'::regprocedure, 'private.record_account_deletion()'::regprocedure)),
  'both functions are security definer');
select ok(
  has_function_privilege('authenticated', 'private.request_account_deletion(text)', 'execute')
  and not has_function_privilege('anon', 'private.request_account_deletion(text)', 'execute')
  and not has_function_privilege('service_role', 'private.request_account_deletion(text)', 'execute')
  and not has_function_privilege('authenticated', 'private.record_account_deletion()', 'execute'),
  'only authenticated may request a deletion; nobody calls the trigger function');
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'private.account_deletion_requests'::regclass),
  'the requests table has RLS, forced');
select ok(
  not exists (select 1 from pg_constraint where conrelid = 'public.audit_events'::regclass and contype = 'f'),
  'public.audit_events has no foreign key: its rows outlive the users they name');

select * from finish();
rollback;
