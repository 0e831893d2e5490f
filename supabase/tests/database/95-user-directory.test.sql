-- The admin user search structure, private.user_directory: readable with users.read only (current role, live
-- session), writable by nobody through the data path, and kept equal to its sources by the triggers on
-- auth.users, auth.identities, auth.mfa_factors, public.user_roles and public.profiles.
begin;
create extension if not exists pgtap with schema extensions;

select plan(76);

\ir fixtures/matrix.psql

-- The directory row of a user, as one comparable text.
create function pg_temp.entry(p_id uuid) returns text language sql stable as $$
  select row(d.email, d.display_name, d.providers, d.role, d.banned_until, d.has_mfa, d.created_at, d.last_sign_in_at)::text
  from private.user_directory d where d.id = p_id
$$;

-- What the row must be, computed from the sources the way a reader would, independently of the sync code.
create function pg_temp.expected(p_id uuid) returns text language sql stable as $$
  select row(
    lower(coalesce(u.email, '')),
    (select p.display_name from public.profiles p where p.id = u.id),
    coalesce((select array_agg(x.provider order by x.provider) from (select distinct i.provider from auth.identities i where i.user_id = u.id) x), '{}'),
    coalesce((select r.role from public.user_roles r where r.user_id = u.id), 'user'),
    u.banned_until,
    exists (select 1 from auth.mfa_factors f where f.user_id = u.id and f.status = 'verified'),
    u.created_at,
    u.last_sign_in_at
  )::text
  from auth.users u where u.id = p_id
$$;

-- ---------------------------------------------------------------------------------------------------
-- Structure
-- ---------------------------------------------------------------------------------------------------

select has_table('private', 'user_directory', 'private.user_directory exists');
select ok((select relrowsecurity and relforcerowsecurity from pg_class where oid = 'private.user_directory'::regclass),
  'user_directory: row level security is enabled and forced');
select is((select extnamespace::regnamespace::text from pg_extension where extname = 'pg_trgm'), 'extensions',
  'pg_trgm is installed in the extensions schema');
select table_privs_are('private', 'user_directory', 'authenticated', array['SELECT'], 'authenticated may only select');
select table_privs_are('private', 'user_directory', 'anon', '{}'::text[], 'anon has no privilege on user_directory');
select table_privs_are('private', 'user_directory', 'service_role', '{}'::text[], 'service_role has no privilege on user_directory');
select policies_are('private', 'user_directory', array['user_directory_select'], 'user_directory has one policy, for select');
select policy_cmd_is('private', 'user_directory', 'user_directory_select', 'select', 'the policy is for select');
select policy_roles_are('private', 'user_directory', 'user_directory_select', array['authenticated'], 'the policy is for authenticated');
select matches(
  (select qual from pg_policies where schemaname = 'private' and tablename = 'user_directory' and policyname = 'user_directory_select'),
  '^\( SELECT private\.authorize\(''users\.read''::app_permission\) AS authorize\)$',
  'the policy is users.read through private.authorize(), evaluated once per statement'
);
select is(
  array(select indexname::text from pg_indexes
        where schemaname = 'private' and tablename = 'user_directory'
          and indexdef ~ 'USING gin \((email|name_lower) ([a-z_]+\.)?gin_trgm_ops\)'
        order by 1),
  array['user_directory_email_trgm_idx', 'user_directory_name_trgm_idx'],
  'trigram (GIN) indexes on email and the lower-cased name'
);
select has_index('private', 'user_directory', 'user_directory_created_idx', array['created_at', 'id', 'email', 'name_lower'],
  'keyset index on (created_at, id), carrying email and name_lower');
select has_index('private', 'user_directory', 'user_directory_email_idx', array['email', 'id', 'name_lower'],
  'keyset index on (email, id), carrying name_lower');
select has_index('private', 'user_directory', 'user_directory_last_sign_in_idx',
  array['COALESCE(last_sign_in_at, ''-infinity''::timestamp with time zone)', 'id', 'last_sign_in_at', 'email', 'name_lower'],
  'keyset index on (last sign-in or -infinity, id), carrying last_sign_in_at, email and name_lower');
-- A search tests its term against the carried columns in the index alone (index-only scan); they are not part
-- of the key, so the order is (sort value, id) and nothing else.
select is(
  (select array_agg(c.relname::text || ' ' || i.indnkeyatts || '/' || i.indnatts order by c.relname) from pg_index i
   join pg_class c on c.oid = i.indexrelid
   where c.relname in ('user_directory_created_idx', 'user_directory_email_idx', 'user_directory_last_sign_in_idx')),
  array['user_directory_created_idx 2/4', 'user_directory_email_idx 2/3', 'user_directory_last_sign_in_idx 2/5'],
  'the keyset indexes are keyed on (sort value, id); the searched columns are included, not keys'
);
select fk_ok('private', 'user_directory', 'id', 'auth', 'users', 'id', 'each row belongs to a user');
select is(
  (select confdeltype from pg_constraint where conrelid = 'private.user_directory'::regclass and contype = 'f'), 'c',
  'a deleted user''s row goes with the user (on delete cascade)'
);
select set_eq(
  $$select tgrelid::regclass::text || ':' || tgname from pg_trigger where tgname like 'user_directory_%' and not tgisinternal$$,
  $$values ('auth.users:user_directory_users_insert'), ('auth.users:user_directory_users_update'),
           ('auth.identities:user_directory_identities_insert'), ('auth.identities:user_directory_identities_update'),
           ('auth.identities:user_directory_identities_delete'),
           ('auth.mfa_factors:user_directory_mfa_factors_insert'), ('auth.mfa_factors:user_directory_mfa_factors_update'),
           ('auth.mfa_factors:user_directory_mfa_factors_delete'),
           ('user_roles:user_directory_user_roles_change'), ('profiles:user_directory_profiles_change')$$,
  'sync triggers on every source table'
);
select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace = 'private'::regnamespace
          and (p.proname like 'user_directory_%' or p.proname = 'sync_user_directory')
          and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute')
               or has_function_privilege('service_role', p.oid, 'execute'))
        order by 1),
  '{}'::text[],
  'no API role may call the sync functions'
);

-- ---------------------------------------------------------------------------------------------------
-- Who reads it, and nobody writes it
-- ---------------------------------------------------------------------------------------------------

select count(*)::int as directory_rows from private.user_directory \gset

create function pg_temp.sees(who text) returns int language plpgsql as $$
declare
  n int;
begin
  perform pg_temp.act_as(who);
  select count(*)::int into n from private.user_directory;
  reset role;
  return n;
end
$$;

-- Every write a signed-in persona could try; each must be refused for lack of privilege.
create function pg_temp.writes_refused(who text, label text) returns setof text language plpgsql as $$
begin
  perform pg_temp.act_as(who);
  return next throws_ok(format($q$insert into private.user_directory (id, created_at) values (%L, now())$q$, pg_temp.uid(who)),
    '42501', null, format('user_directory: %s cannot insert', label));
  return next throws_ok($q$update private.user_directory set role = 'admin'$q$, '42501', null,
    format('user_directory: %s cannot update (make someone admin in the search)', label));
  return next throws_ok($q$delete from private.user_directory$q$, '42501', null, format('user_directory: %s cannot delete', label));
  return next throws_ok($q$truncate private.user_directory$q$, '42501', null, format('user_directory: %s cannot truncate', label));
  reset role;
end
$$;

select is(pg_temp.sees('support'), :directory_rows, 'support (users.read) sees every user');
select is(pg_temp.sees('admin'), :directory_rows, 'admin (users.read) sees every user');
select is(pg_temp.sees('alice'), 0, 'a plain user sees nothing, not even their own row');
select is(pg_temp.sees('norole'), 0, 'a user without a role row sees nothing');
select is(pg_temp.sees('banned'), 0, 'a banned admin sees nothing');
select is(pg_temp.sees('revoked'), 0, 'an admin whose session was deleted sees nothing');
select is(pg_temp.sees('reused'), 0, 'an admin whose refresh tokens were revoked sees nothing');

select pg_temp.act_as('anon');
select throws_ok($$select * from private.user_directory$$, '42501', null, 'anon cannot select');
select throws_ok($$delete from private.user_directory$$, '42501', null, 'anon cannot delete');
reset role;

select pg_temp.writes_refused('admin', 'admin');
select pg_temp.writes_refused('support', 'support');
select pg_temp.writes_refused('alice', 'a plain user');

-- A demotion is effective on the next statement.
update public.user_roles set role = 'user' where user_id = pg_temp.uid('support');
select is(pg_temp.sees('support'), 0, 'demoted support sees nothing on the next statement');
update public.user_roles set role = 'support' where user_id = pg_temp.uid('support');

-- ---------------------------------------------------------------------------------------------------
-- Sync: every source table, insert / update / delete
-- ---------------------------------------------------------------------------------------------------

select is(
  (select count(*)::int from pg_temp.fixtures f where pg_temp.entry(f.user_id) = pg_temp.expected(f.user_id)),
  (select count(*)::int from pg_temp.fixtures),
  'sign-up: every persona has its row, equal to its sources'
);
select is(pg_temp.entry(pg_temp.uid('admin')), pg_temp.expected(pg_temp.uid('admin')),
  'sign-up then a role change in the same transaction: the row has the new role');
select is((select role from private.user_directory where id = pg_temp.uid('admin')), 'admin'::public.app_role, 'admin''s row says admin');
select is((select role from private.user_directory where id = pg_temp.uid('norole')), 'user'::public.app_role,
  'a user whose role row was deleted is `user`');

-- A user as the Auth server creates one: mixed-case email, a name in the metadata.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000d001', 'authenticated', 'authenticated',
        'Dora.Dir@Example.COM', '{}', '{"full_name": "Dora Directory"}', now() - interval '10 days', now());
select is(
  pg_temp.entry('00000000-0000-4000-8000-00000000d001'),
  row('dora.dir@example.com', 'Dora Directory', '{}'::text[], 'user'::public.app_role, null::timestamptz, false,
      now() - interval '10 days', null::timestamptz)::text,
  'users insert: the row (email lower-cased, name from the profile, role user, no provider, no MFA, never signed in)'
);

-- Identities: linked, relinked, unlinked.
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
values ('dora-g', '00000000-0000-4000-8000-00000000d001', '{"sub": "dora-g"}', 'google', now(), now());
select is((select providers from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), array['google'],
  'identities insert: Google linked');
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
values ('dora-a', '00000000-0000-4000-8000-00000000d001', '{"sub": "dora-a"}', 'apple', now(), now()),
       ('dora-g2', '00000000-0000-4000-8000-00000000d001', '{"sub": "dora-g2"}', 'google', now(), now());
select is((select providers from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), array['apple', 'google'],
  'identities insert: Apple and a second Google identity linked, providers distinct and sorted');
update auth.identities set user_id = pg_temp.uid('bob') where provider_id = 'dora-a';
select is((select providers from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), array['google'],
  'identities update: an identity moved to another user leaves its old owner');
select is((select providers from private.user_directory where id = pg_temp.uid('bob')), array['apple'],
  'identities update: and reaches its new owner');
delete from auth.identities where provider_id in ('dora-g', 'dora-g2');
select is((select providers from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), '{}'::text[],
  'identities delete: unlinked');

-- MFA factors: enrolled (unverified), verified, removed.
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
values ('00000000-0000-4000-8000-00000000f001', '00000000-0000-4000-8000-00000000d001', 'Phone', 'totp', 'unverified', now(), now(), 'ABC');
select is((select has_mfa from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), false,
  'mfa_factors insert: an unverified factor is not MFA');
update auth.mfa_factors set status = 'verified' where id = '00000000-0000-4000-8000-00000000f001';
select is((select has_mfa from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), true,
  'mfa_factors update: verified, the user has MFA');
insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
values ('00000000-0000-4000-8000-00000000f002', '00000000-0000-4000-8000-00000000d001', 'Laptop', 'totp', 'verified', now(), now(), 'DEF');
delete from auth.mfa_factors where id = '00000000-0000-4000-8000-00000000f001';
select is((select has_mfa from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), true,
  'mfa_factors delete: still MFA while another verified factor remains');
delete from auth.mfa_factors where id = '00000000-0000-4000-8000-00000000f002';
select is((select has_mfa from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), false,
  'mfa_factors delete: the last verified factor removed, no MFA');

-- Roles: changed, removed, given again.
update public.user_roles set role = 'support' where user_id = '00000000-0000-4000-8000-00000000d001';
select is((select role from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'support'::public.app_role,
  'user_roles update: promoted to support');
delete from public.user_roles where user_id = '00000000-0000-4000-8000-00000000d001';
select is((select role from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'user'::public.app_role,
  'user_roles delete: no role row is `user`');
insert into public.user_roles (user_id, role) values ('00000000-0000-4000-8000-00000000d001', 'admin');
select is((select role from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'admin'::public.app_role,
  'user_roles insert: made admin');

-- A role change through the data path, as an admin does it (the trigger runs for the acting admin too;
-- role writes need an AAL2 session).
select pg_temp.verify_mfa('admin') is not null as admin_verified \gset
select pg_temp.act_as('admin');
update public.user_roles set role = 'user' where user_id = '00000000-0000-4000-8000-00000000d001';
reset role;
select is((select role from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'user'::public.app_role,
  'user_roles update through RLS as an admin: the directory follows');

-- Profiles: renamed, cleared.
update public.profiles set display_name = 'Dora Renamed' where id = '00000000-0000-4000-8000-00000000d001';
select is((select display_name from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'Dora Renamed',
  'profiles update: renamed');
select pg_temp.act_as('alice');
update public.profiles set display_name = 'Alice Herself' where id = pg_temp.uid('alice');
reset role;
select is((select display_name from private.user_directory where id = pg_temp.uid('alice')), 'Alice Herself',
  'profiles update through RLS by the user herself: the directory follows');
update public.profiles set display_name = null where id = '00000000-0000-4000-8000-00000000d001';
select is((select display_name from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), null,
  'profiles update: name cleared');
update public.profiles set display_name = 'Dora Again' where id = '00000000-0000-4000-8000-00000000d001';
delete from public.profiles where id = '00000000-0000-4000-8000-00000000d001';
select is((select display_name from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), null,
  'profiles delete: no name');
insert into public.profiles (id, display_name) values ('00000000-0000-4000-8000-00000000d001', 'Dora Restored');
select is((select display_name from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'Dora Restored',
  'profiles insert on an existing user: the name');

-- auth.users: email change, sign-in, ban, unban, and the Auth server's other writes.
update auth.users set email = 'DORA@New.Example' where id = '00000000-0000-4000-8000-00000000d001';
select is((select email from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 'dora@new.example',
  'users update: email changed, lower-cased');
update auth.users set last_sign_in_at = now() - interval '1 hour' where id = '00000000-0000-4000-8000-00000000d001';
select is((select last_sign_in_at from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), now() - interval '1 hour',
  'users update: signed in');
update auth.users set banned_until = now() + interval '1 day' where id = '00000000-0000-4000-8000-00000000d001';
select is((select banned_until from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), now() + interval '1 day',
  'users update: banned');
update auth.users set banned_until = null where id = '00000000-0000-4000-8000-00000000d001';
select is((select banned_until from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), null,
  'users update: unbanned');
update auth.users set email = null, phone = '15550100' where id = '00000000-0000-4000-8000-00000000d001';
select is((select email from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), '',
  'users update: no email (a phone user) is the empty string');
update auth.users set email = 'dora@new.example' where id = '00000000-0000-4000-8000-00000000d001';

-- The Auth server updates many users in one statement only in bulk paths; a statement's rows sync together.
update auth.users set last_sign_in_at = now() - interval '5 minutes'
where id in (select user_id from pg_temp.fixtures where name in ('alice', 'bob'));
select is(
  (select count(*)::int from private.user_directory
   where id in (select user_id from pg_temp.fixtures where name in ('alice', 'bob')) and last_sign_in_at = now() - interval '5 minutes'),
  2,
  'users update of several rows in one statement: each row synced'
);

-- A statement that inserts many users (a seed, an import): every row, with its profile and role.
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', ('00000000-0000-4000-8000-0000000e' || lpad(n::text, 4, '0'))::uuid,
       'authenticated', 'authenticated', 'bulk' || n || '@dir.test', '{}', jsonb_build_object('full_name', 'Bulk ' || n), now(), now()
from generate_series(1, 50) n;
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select 'bulk-' || n, ('00000000-0000-4000-8000-0000000e' || lpad(n::text, 4, '0'))::uuid, '{}', 'apple', now(), now()
from generate_series(1, 50) n;
select is(
  (select count(*)::int from private.user_directory
   where email like 'bulk%@dir.test' and display_name like 'Bulk %' and providers = array['apple'] and role = 'user'),
  50,
  'a statement inserting 50 users, then one inserting their identities: 50 rows, complete'
);

-- Deletion.
delete from auth.users where id = '00000000-0000-4000-8000-00000000d001';
select is((select count(*)::int from private.user_directory where id = '00000000-0000-4000-8000-00000000d001'), 0,
  'users delete: the row is gone');
delete from auth.users where email like 'bulk%@dir.test';
select is((select count(*)::int from private.user_directory where email like 'bulk%@dir.test'), 0,
  'users delete of 50 users in one statement: their rows are gone');

-- After all of the above: the directory is exactly its sources, for every user in the database.
select is(
  (select count(*)::int from auth.users u where pg_temp.entry(u.id) is distinct from pg_temp.expected(u.id)),
  0,
  'every user''s row equals what its sources say'
);
select is(
  (select count(*)::int from private.user_directory d where not exists (select 1 from auth.users u where u.id = d.id)),
  0,
  'no row without a user'
);

-- The Auth server's role cannot write the directory either: only the triggers (as their owner) do.
select table_privs_are('private', 'user_directory', 'supabase_auth_admin', '{}'::text[],
  'the Auth server''s role has no privilege on the directory');

select * from finish();
rollback;
