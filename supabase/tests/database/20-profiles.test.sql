-- profiles: every persona × every operation, column privileges, and the auth.users triggers that create
-- profiles and roles (provider name and picture, Apple's first-sign-in-only name, bootstrap admins).
begin;
create extension if not exists pgtap with schema extensions;

select plan(60);

-- The personas (alice, bob, support, admin, banned, revoked, reused, norole) and act_as().
\ir fixtures/matrix.psql

select count(*) as total_profiles from public.profiles \gset

-- ---------------------------------------------------------------------------------------------------
-- The matrix
-- ---------------------------------------------------------------------------------------------------

-- Every persona but the user (alice) and admin: it selects `sees` ('own' profile, 'all' profiles or
-- 'none'); it cannot insert, edit alice's profile or delete; without an active session ('none') it cannot
-- edit its own profile either.
create function pg_temp.profiles_refused(who text, label text, sees text) returns setof text language plpgsql as $$
declare
  total int := (select count(*) from public.profiles);
  n int;
begin
  perform pg_temp.act_as(who);
  if sees = 'own' then
    return next results_eq('select id from public.profiles', format('select pg_temp.uid(%L)', who),
      format('profiles: %s selects their own profile only', label));
  elsif sees = 'all' then
    return next is((select count(*)::int from public.profiles), total, format('profiles: %s selects every profile', label));
  else
    return next is((select count(*)::int from public.profiles), 0,
      format('profiles: %s selects nothing, not even their own profile', label));
  end if;
  return next throws_ok($q$insert into public.profiles (id) values (pg_temp.uid('norole'))$q$, '42501', null,
    format('profiles: %s cannot insert', label));
  with u as (update public.profiles set display_name = 'hacked' where id = pg_temp.uid('alice') returning 1)
  select count(*)::int into n from u;
  return next is(n, 0, format('profiles: %s cannot update the user''s profile', label));
  if sees = 'none' then
    with u as (update public.profiles set display_name = 'x' where id = pg_temp.uid(who) returning 1)
    select count(*)::int into n from u;
    return next is(n, 0, format('profiles: %s cannot update their own profile either', label));
  end if;
  return next throws_ok($q$delete from public.profiles where id = pg_temp.uid('alice')$q$, '42501', null,
    format('profiles: %s cannot delete', label));
  reset role;
end
$$;

select pg_temp.act_as('anon');
select throws_ok($$select * from public.profiles$$, '42501', null, 'profiles: anon cannot select');
select throws_ok($$insert into public.profiles (id) values (gen_random_uuid())$$, '42501', null, 'profiles: anon cannot insert');
select throws_ok($$update public.profiles set display_name = 'x'$$, '42501', null, 'profiles: anon cannot update');
select throws_ok($$delete from public.profiles$$, '42501', null, 'profiles: anon cannot delete');
reset role;

select pg_temp.act_as('alice');
select results_eq($$select id from public.profiles$$, $$select pg_temp.uid('alice')$$,
  'profiles: the user selects their own profile only');
select throws_ok($$insert into public.profiles (id) values (pg_temp.uid('norole'))$$, '42501', null,
  'profiles: the user cannot insert (the auth.users trigger creates profiles)');
with u as (
  update public.profiles set display_name = 'Alice L.', avatar_url = 'https://example.com/alice.png'
  where id = pg_temp.uid('alice') returning 1
)
select is(count(*)::int, 1, 'profiles: the user updates display_name and avatar_url of their own profile') from u;
with u as (update public.profiles set display_name = 'hacked' where id = pg_temp.uid('bob') returning 1)
select is(count(*)::int, 0, 'profiles: the user cannot update another user''s profile') from u;
select throws_ok($$update public.profiles set id = gen_random_uuid() where id = pg_temp.uid('alice')$$, '42501', null,
  'profiles: the user cannot update columns other than display_name and avatar_url (id)');
select throws_ok($$update public.profiles set created_at = now() - interval '1 year' where id = pg_temp.uid('alice')$$,
  '42501', null, 'profiles: the user cannot update columns other than display_name and avatar_url (created_at)');
select throws_ok($$delete from public.profiles where id = pg_temp.uid('alice')$$, '42501', null,
  'profiles: the user cannot delete their profile (deleting the account does)');
select throws_ok($$truncate public.profiles$$, '42501', null, 'profiles: the user cannot truncate');
reset role;

select pg_temp.profiles_refused('bob', 'another user', 'own');

-- support has users.read, not users.write.
select pg_temp.profiles_refused('support', 'support', 'all');

select pg_temp.act_as('admin');
select is((select count(*)::int from public.profiles), :total_profiles, 'profiles: admin selects every profile');
select throws_ok($$insert into public.profiles (id) values (pg_temp.uid('norole'))$$, '42501', null,
  'profiles: admin cannot insert');
with u as (update public.profiles set display_name = 'Renamed by admin' where id = pg_temp.uid('bob') returning 1)
select is(count(*)::int, 1, 'profiles: admin updates another user''s profile (users.write)') from u;
select throws_ok($$update public.profiles set id = gen_random_uuid() where id = pg_temp.uid('bob')$$, '42501', null,
  'profiles: admin cannot update columns other than display_name and avatar_url');
select throws_ok($$delete from public.profiles where id = pg_temp.uid('alice')$$, '42501', null,
  'profiles: admin cannot delete (deleting the user does)');
reset role;

-- No role survives a ban, a deleted session or reuse detection.
select pg_temp.profiles_refused('banned', 'a banned admin', 'none');

select pg_temp.profiles_refused('revoked', 'an admin whose session was deleted', 'none');

select pg_temp.profiles_refused('reused', 'an admin whose refresh tokens were revoked', 'none');

select results_eq(
  $$select display_name, avatar_url from public.profiles where id = pg_temp.uid('alice')$$,
  $$values ('Alice L.', 'https://example.com/alice.png')$$,
  'profiles: only the user''s own edit reached their profile'
);
select ok((select updated_at >= created_at from public.profiles where id = pg_temp.uid('alice')),
  'profiles: updated_at is maintained by a trigger');
select table_privs_are('public', 'profiles', 'anon', '{}'::text[], 'anon has no privilege on profiles');
select col_is_pk('public', 'profiles', 'id', 'profiles is indexed on id (policies filter on it)');

-- ---------------------------------------------------------------------------------------------------
-- The auth.users triggers
-- ---------------------------------------------------------------------------------------------------

-- What the Auth server inserts for a Google sign-up (claims as in the contract transcripts).
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
  'google-user@rls.test', '{"provider": "google", "providers": ["google"]}',
  '{"avatar_url": "https://lh3.googleusercontent.com/a/g.png", "email": "google-user@rls.test", "email_verified": true,
    "full_name": "Google User", "iss": "https://accounts.google.com", "name": "Google User", "phone_verified": false,
    "picture": "https://lh3.googleusercontent.com/a/g.png", "provider_id": "123", "sub": "123"}',
  now(), now());
select results_eq(
  $$select display_name, avatar_url from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000001'$$,
  $$values ('Google User', 'https://lh3.googleusercontent.com/a/g.png')$$,
  'trigger: a new Google user gets a profile from full_name and avatar_url'
);
select is((select role from public.user_roles where user_id = '6f1d5a0e-0000-4000-8000-000000000001'), 'user'::public.app_role,
  'trigger: every new user gets the role `user`');

-- Only `name` and `picture` (an OIDC-shaped payload).
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000002', 'authenticated', 'authenticated',
  'oidc-user@rls.test', '{}', '{"name": "Oidc User", "picture": "https://example.com/p.png"}', now(), now());
select results_eq(
  $$select display_name, avatar_url from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000002'$$,
  $$values ('Oidc User', 'https://example.com/p.png')$$,
  'trigger: name and picture are used when full_name and avatar_url are missing'
);

-- Apple: the name arrives with the first sign-in only; later sign-ins rewrite the metadata without it.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000003', 'authenticated', 'authenticated',
  'apple-user@rls.test', '{"provider": "apple", "providers": ["apple"]}',
  '{"custom_claims": {"is_private_email": false}, "email": "apple-user@rls.test", "email_verified": true,
    "full_name": "Apple User", "iss": "https://appleid.apple.com", "name": "Apple User", "phone_verified": false,
    "provider_id": "001", "sub": "001"}',
  now(), now());
select results_eq(
  $$select display_name, avatar_url from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000003'$$,
  $$values ('Apple User', null::text)$$,
  'trigger: a new Apple user gets the name of the first sign-in and no avatar'
);
update auth.users
set raw_user_meta_data = '{"custom_claims": {"is_private_email": false}, "email": "apple-user@rls.test",
  "email_verified": true, "iss": "https://appleid.apple.com", "phone_verified": false, "provider_id": "001", "sub": "001"}'
where id = '6f1d5a0e-0000-4000-8000-000000000003';
select is((select display_name from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000003'), 'Apple User',
  'trigger: a later Apple sign-in without the name keeps it');
update auth.users set raw_user_meta_data = '{"full_name": "Someone Else"}' where id = '6f1d5a0e-0000-4000-8000-000000000003';
select is((select display_name from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000003'), 'Apple User',
  'trigger: a non-empty display_name is never overwritten from provider metadata');

-- Sign-up without a name, which arrives later: filled in because the profile had none.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000004', 'authenticated', 'authenticated',
  'nameless@rls.test', '{}', '{}', now(), now());
select is((select display_name from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000004'), null,
  'trigger: no name in the metadata, no display_name');
update auth.users set raw_user_meta_data = '{"full_name": "Late Name", "avatar_url": "https://example.com/late.png"}'
where id = '6f1d5a0e-0000-4000-8000-000000000004';
select results_eq(
  $$select display_name, avatar_url from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000004'$$,
  $$values ('Late Name', 'https://example.com/late.png')$$,
  'trigger: an empty display_name and avatar_url are filled from later metadata'
);

-- Provider data the profile constraints would reject never fails the sign-up.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000005', 'authenticated', 'authenticated',
  'odd@rls.test', '{}', jsonb_build_object('full_name', repeat('n', 500), 'avatar_url', 'javascript:alert(1)'), now(), now());
select results_eq(
  $$select char_length(display_name), avatar_url from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000005'$$,
  $$values (100, null::text)$$,
  'trigger: an overlong name is cut to 100 characters, a non-http(s) avatar URL is dropped'
);

select is(
  (select count(*)::int from auth.users u
   where not exists (select 1 from public.profiles p where p.id = u.id)
      or not exists (select 1 from public.user_roles r where r.user_id = u.id)),
  1,
  'every user has a profile and a role row (the one exception is the fixture whose role row was removed)'
);

-- Bootstrap admins (seed.sql lists the emulators' admin identity).
insert into private.bootstrap_admins (email) values ('first-admin@rls.test');
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000006', 'authenticated', 'authenticated',
  'First-Admin@rls.test', '{}', '{}', now(), now());
select is((select role from public.user_roles where user_id = '6f1d5a0e-0000-4000-8000-000000000006'), 'admin'::public.app_role,
  'trigger: a user whose email is in private.bootstrap_admins starts as admin (email compared case-insensitively)');
select results_eq(
  $$select actor_id, action, after ->> 'role' from public.audit_events where target_user_id = '6f1d5a0e-0000-4000-8000-000000000006'$$,
  $$values (null::uuid, 'role.bootstrap', 'admin')$$,
  'trigger: the bootstrap grant is audited'
);
select ok(not has_table_privilege('authenticated', 'private.bootstrap_admins', 'select')
      and not has_table_privilege('service_role', 'private.bootstrap_admins', 'insert'),
  'private.bootstrap_admins is not reachable by the API roles');

-- Deleting the user deletes profile and role; audit rows stay.
delete from auth.users where id = '6f1d5a0e-0000-4000-8000-000000000006';
select is((select count(*)::int from public.profiles where id = '6f1d5a0e-0000-4000-8000-000000000006')
        + (select count(*)::int from public.user_roles where user_id = '6f1d5a0e-0000-4000-8000-000000000006'), 0,
  'deleting the user deletes their profile and role');
select is((select count(*)::int from public.audit_events where target_user_id = '6f1d5a0e-0000-4000-8000-000000000006'), 1,
  'deleting the user keeps the audit rows about them');

-- The triggers run as the Auth server's role, which has no privilege on public tables of its own.
set local role supabase_auth_admin;
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '6f1d5a0e-0000-4000-8000-000000000007', 'authenticated', 'authenticated',
  'via-auth-server@rls.test', '{}', '{"full_name": "Via Auth"}', now(), now());
update auth.users set raw_user_meta_data = '{"full_name": "Via Auth", "avatar_url": "https://example.com/v.png"}'
where id = '6f1d5a0e-0000-4000-8000-000000000007';
reset role;
select results_eq(
  $$select p.display_name, p.avatar_url, r.role::text from public.profiles p join public.user_roles r on r.user_id = p.id
    where p.id = '6f1d5a0e-0000-4000-8000-000000000007'$$,
  $$values ('Via Auth', 'https://example.com/v.png', 'user')$$,
  'trigger: sign-up and metadata update work when supabase_auth_admin writes auth.users'
);

select * from finish();
rollback;
