-- Linked identities: private.check_my_identity_unlink(), private.record_my_identity_link() and
-- private.record_my_identity_unlink(). Each is scoped to the caller's own identities and active session;
-- the unlink check needs step-up and refuses the last identity.
begin;
create extension if not exists pgtap with schema extensions;

select plan(22);

\set personas '{alice,bob,carol,banned,revoked}'
\ir fixtures/matrix.psql

create function pg_temp.add_identity(who text, provider text, ago interval default '0'::interval) returns uuid language sql as $$
  insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
  values (provider || '-' || who || '-' || md5(random()::text), pg_temp.uid(who),
          jsonb_build_object('sub', provider || '-' || who, 'email', who || '-' || provider || '@example.com'),
          provider, now() - ago, now() - ago, now() - ago)
  returning id;
$$;

create temp table ids (name text primary key, id uuid not null);
grant select on ids to authenticated;
insert into ids values
  ('alice_google', pg_temp.add_identity('alice', 'google', '1 day')),
  ('alice_apple', pg_temp.add_identity('alice', 'apple')),
  ('bob_google', pg_temp.add_identity('bob', 'google', '1 day')),
  ('carol_google', pg_temp.add_identity('carol', 'google', '1 day')),
  ('carol_apple', pg_temp.add_identity('carol', 'apple', '1 hour'));
create function pg_temp.ident(name text) returns uuid language sql stable as $$ select id from pg_temp.ids where ids.name = ident.name $$;

create function pg_temp.audits(who text, act text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where target_user_id = pg_temp.uid(who) and action = act $$;

-- Who may call them
select pg_temp.act_as('anon');
select throws_ok($$select private.check_my_identity_unlink(pg_temp.ident('alice_apple'))$$, '42501', null, 'anon cannot check an unlink');
select throws_ok($$select private.record_my_identity_link('apple')$$, '42501', null, 'anon cannot record a link');
reset role;
select pg_temp.act_as('banned');
select throws_ok($$select private.check_my_identity_unlink(pg_temp.ident('alice_apple'))$$, '42501', null, 'a banned user cannot check an unlink');
reset role;
select pg_temp.act_as('revoked');
select throws_ok($$select private.record_my_identity_link('apple')$$, '42501', null, 'a revoked session cannot record a link');
reset role;

-- The unlink check
select pg_temp.act_as('alice');
select is(private.check_my_identity_unlink(pg_temp.ident('alice_apple')), 'apple', 'alice may unlink her Apple identity: it is not her last');
select throws_ok($$select private.check_my_identity_unlink(pg_temp.ident('bob_google'))$$, 'P0002', 'identity_not_found', 'another user''s identity is not found');
select throws_ok($$select private.check_my_identity_unlink(gen_random_uuid())$$, 'P0002', 'identity_not_found', 'an unknown identity is not found');
reset role;
select pg_temp.act_as('bob');
select throws_ok($$select private.check_my_identity_unlink(pg_temp.ident('bob_google'))$$, '22023', 'last_identity', 'bob''s only identity is refused');
reset role;
update auth.mfa_amr_claims set updated_at = now() - interval '11 minutes' where session_id = pg_temp.sid('alice');
select pg_temp.act_as('alice');
select throws_ok($$select private.check_my_identity_unlink(pg_temp.ident('alice_apple'))$$, 'SU001', 'step_up_required', 'a sign-in older than 10 minutes needs step-up');
reset role;
update auth.mfa_amr_claims set updated_at = now() where session_id = pg_temp.sid('alice');

-- Recording a link: only an identity the Auth server has just added, once
select pg_temp.act_as('alice');
select is(private.record_my_identity_link('apple'), true, 'alice''s Apple identity, added just now, is recorded');
select is(private.record_my_identity_link('apple'), false, 'not twice');
select is(private.record_my_identity_link('google'), false, 'her Google identity, a day old, is no new link');
reset role;
select is(pg_temp.audits('alice', 'identity.link'), 1, 'one identity.link row for alice');
select is(
  (select after ->> 'provider' from public.audit_events where target_user_id = pg_temp.uid('alice') and action = 'identity.link'),
  'apple', 'the row names the provider, as the security activity reads it');
select pg_temp.act_as('carol');
select is(private.record_my_identity_link('apple'), false, 'carol''s Apple identity, an hour old, is no new link');
reset role;
select pg_temp.act_as('bob');
select is(private.record_my_identity_link('apple'), false, 'bob has no Apple identity: nothing is recorded');
reset role;
select is(pg_temp.audits('bob', 'identity.link') + pg_temp.audits('carol', 'identity.link'), 0, 'no row for bob or carol');

-- Recording an unlink: only once the identity is gone
select pg_temp.act_as('carol');
select is(private.record_my_identity_unlink(pg_temp.ident('carol_apple'), 'apple'), false, 'an identity that still exists is not recorded as unlinked');
reset role;
delete from auth.identities where id = pg_temp.ident('carol_apple');
select pg_temp.act_as('carol');
select is(private.record_my_identity_unlink(pg_temp.ident('carol_apple'), 'apple'), true, 'once the Auth server removed it, it is recorded');
reset role;
select is(pg_temp.audits('carol', 'identity.unlink'), 1, 'one identity.unlink row for carol');

-- Structure
select ok((select bool_and(prosecdef) from pg_proc where oid in (
  'private.check_my_identity_unlink(uuid)'::regprocedure,
  'private.record_my_identity_link(text, inet, text, text)'::regprocedure,
  'private.record_my_identity_unlink(uuid, text, inet, text, text)'::regprocedure)), 'all three are security definer');
select ok(not has_function_privilege('anon', 'private.record_my_identity_link(text, inet, text, text)', 'execute'), 'anon may not execute record_my_identity_link');

select * from finish();
rollback;
