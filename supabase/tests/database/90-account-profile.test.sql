-- Profile: private.list_my_identities() and private.set_my_avatar(). A user sees only their own identities;
-- the avatar can only be the picture of one of the caller's own identities, or initials; each change writes
-- one audit row naming the provider, never the URL; a chosen avatar survives later sign-ins.
begin;
create extension if not exists pgtap with schema extensions;

select plan(28);

\set personas '{alice,bob,banned,revoked,reused}'
\ir fixtures/matrix.psql

-- alice: a Google identity with a picture and an Apple identity without one. bob: a Google identity.
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at, last_sign_in_at)
values
  ('g-alice', pg_temp.uid('alice'), jsonb_build_object('sub', 'g-alice', 'email', 'alice@rls.test',
     'picture', 'https://example.com/alice-g.png', 'avatar_url', 'https://example.com/alice-g.png'),
   'google', now() - interval '2 days', now() - interval '2 days', now() - interval '1 day'),
  ('a-alice', pg_temp.uid('alice'), jsonb_build_object('sub', 'a-alice', 'email', 'alice@rls.test'),
   'apple', now() - interval '1 day', now() - interval '1 day', now()),
  ('g-bob', pg_temp.uid('bob'), jsonb_build_object('sub', 'g-bob', 'email', 'bob@rls.test',
     'picture', 'https://example.com/bob-g.png'),
   'google', now(), now(), now()),
  ('g-banned', pg_temp.uid('banned'), jsonb_build_object('sub', 'g-banned', 'picture', 'https://example.com/banned.png'),
   'google', now(), now(), now()),
  ('g-revoked', pg_temp.uid('revoked'), jsonb_build_object('sub', 'g-revoked', 'picture', 'https://example.com/revoked.png'),
   'google', now(), now(), now()),
  ('g-reused', pg_temp.uid('reused'), jsonb_build_object('sub', 'g-reused', 'picture', 'https://example.com/reused.png'),
   'google', now(), now(), now());

create function pg_temp.audit_rows_about(who text) returns int language sql stable
as $$ select count(*)::int from public.audit_events where target_user_id = pg_temp.uid(who) and action = 'profile.avatar' $$;

-- ---------------------------------------------------------------------------------------------------
-- list_my_identities
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select results_eq(
  $$select provider, email, picture from private.list_my_identities()$$,
  $$values ('google'::text, 'alice@rls.test'::text, 'https://example.com/alice-g.png'::text), ('apple', 'alice@rls.test', null)$$,
  'list_my_identities: the user''s own identities, oldest first, with the picture where there is one'
);
reset role;

select pg_temp.act_as('bob');
select results_eq($$select provider, picture from private.list_my_identities()$$,
  $$values ('google'::text, 'https://example.com/bob-g.png'::text)$$, 'list_my_identities: another user sees only theirs');
reset role;

select pg_temp.act_as('banned');
select is((select count(*)::int from private.list_my_identities()), 0, 'list_my_identities: a banned user sees nothing');
reset role;
select pg_temp.act_as('revoked');
select is((select count(*)::int from private.list_my_identities()), 0, 'list_my_identities: a deleted session sees nothing');
reset role;
select pg_temp.act_as('reused');
select is((select count(*)::int from private.list_my_identities()), 0,
  'list_my_identities: a session whose refresh tokens were revoked sees nothing');
reset role;

select pg_temp.act_as('anon');
select throws_ok($$select * from private.list_my_identities()$$, '42501', null, 'list_my_identities: anon may not call it');
reset role;

-- ---------------------------------------------------------------------------------------------------
-- set_my_avatar
-- ---------------------------------------------------------------------------------------------------

select pg_temp.act_as('alice');
select throws_ok($$select private.set_my_avatar('https://example.com/bob-g.png')$$, '22023', 'not_an_identity_picture',
  'set_my_avatar: another user''s identity picture is refused');
select throws_ok($$select private.set_my_avatar('https://tracker.example/pixel.gif')$$, '22023', 'not_an_identity_picture',
  'set_my_avatar: an arbitrary URL is refused');
select throws_ok($$select private.set_my_avatar('javascript:alert(1)')$$, '22023', 'not_an_identity_picture',
  'set_my_avatar: a non-http URL is refused');
select throws_ok($$select private.set_my_avatar('')$$, '22023', 'not_an_identity_picture',
  'set_my_avatar: an empty string is refused (initials are null)');
reset role;
select is(pg_temp.audit_rows_about('alice'), 0, 'set_my_avatar: a refusal writes no audit row');
select is((select avatar_chosen from public.profiles where id = pg_temp.uid('alice')), false,
  'set_my_avatar: a refusal changes nothing');

select pg_temp.act_as('alice');
select is(private.set_my_avatar(null, '203.0.113.9', 'Test Agent', 'req-1'), true, 'set_my_avatar: initials (null) are accepted');
reset role;
select results_eq($$select avatar_url, avatar_chosen from public.profiles where id = pg_temp.uid('alice')$$,
  $$values (null::text, true)$$, 'set_my_avatar: initials store no URL and remember the choice');
select results_eq(
  $$select actor_id, action, host(ip), user_agent, request_id, after from public.audit_events
    where target_user_id = pg_temp.uid('alice') and action = 'profile.avatar'$$,
  $$values (pg_temp.uid('alice'), 'profile.avatar'::text, '203.0.113.9'::text, 'Test Agent'::text, 'req-1'::text,
            '{"avatar": "initials"}'::jsonb)$$,
  'set_my_avatar: one audit row, by the user, about the user, with the request metadata'
);

select pg_temp.act_as('alice');
select is(private.set_my_avatar(null), false, 'set_my_avatar: the same choice again changes nothing');
reset role;
select is(pg_temp.audit_rows_about('alice'), 1, 'set_my_avatar: and writes no second audit row');

-- A later sign-in rewrites the metadata with a picture: the chosen initials stay.
update auth.users set raw_user_meta_data = '{"full_name": "Alice", "avatar_url": "https://example.com/alice-g.png"}'
where id = pg_temp.uid('alice');
select is((select avatar_url from public.profiles where id = pg_temp.uid('alice')), null,
  'set_my_avatar: chosen initials survive a sign-in that brings a picture');

select pg_temp.act_as('alice');
select is(private.set_my_avatar('https://example.com/alice-g.png'), true, 'set_my_avatar: the picture of an own identity is accepted');
reset role;
select is((select avatar_url from public.profiles where id = pg_temp.uid('alice')), 'https://example.com/alice-g.png',
  'set_my_avatar: the profile shows the chosen picture');
select is(
  (select array_agg(after ->> 'avatar' order by after ->> 'avatar') from public.audit_events
   where target_user_id = pg_temp.uid('alice') and action = 'profile.avatar'),
  array['google', 'initials'], 'set_my_avatar: each audit row names the provider or initials');
select is(
  (select count(*)::int from public.audit_events where target_user_id = pg_temp.uid('alice') and after::text like '%example.com%'),
  0, 'set_my_avatar: no audit row holds the URL');

select pg_temp.act_as('bob');
select is(private.set_my_avatar(null), true, 'set_my_avatar: bob sets his own avatar');
reset role;
select is((select avatar_url from public.profiles where id = pg_temp.uid('alice')), 'https://example.com/alice-g.png',
  'set_my_avatar: another user''s call never touches the user''s profile');

-- No active session, no change.
select pg_temp.act_as('banned');
select throws_ok($$select private.set_my_avatar('https://example.com/banned.png')$$, '42501', null,
  'set_my_avatar: a banned user cannot change the avatar');
reset role;
select pg_temp.act_as('revoked');
select throws_ok($$select private.set_my_avatar(null)$$, '42501', null, 'set_my_avatar: a deleted session cannot change the avatar');
reset role;

select pg_temp.act_as('anon');
select throws_ok($$select private.set_my_avatar(null)$$, '42501', null, 'set_my_avatar: anon may not call it');
reset role;

-- Not in the column grant: only set_my_avatar() records a choice.
select pg_temp.act_as('alice');
select throws_ok($$update public.profiles set avatar_chosen = false where id = pg_temp.uid('alice')$$, '42501', null,
  'profiles: the user cannot write avatar_chosen directly');
reset role;

select * from finish();
rollback;
