-- Development data, applied by `npm run stack -- start` on a new database and by `npm run stack -- reset`.
-- Users sign in through the Google/Apple emulators; nothing needs seeding for that.

-- The emulators' admin identity (stack/idp/identities.json) becomes admin when its user is created at the
-- first sign-in. Never seed this table on a hosted project: use `npm run grant-role -- <email> admin`.
insert into private.bootstrap_admins (email)
values ('admin@example.com')
on conflict (email) do nothing;

-- For a database where that user already exists (the seed runs after migrations, not only on empty
-- databases).
with previous as (
  select ur.user_id, ur.role
  from public.user_roles ur
  join auth.users u on u.id = ur.user_id
  where lower(u.email) = 'admin@example.com' and ur.role <> 'admin'
), promoted as (
  update public.user_roles ur
  set role = 'admin'
  from previous p
  where ur.user_id = p.user_id
  returning ur.user_id, p.role as previous_role
)
insert into public.audit_events (actor_id, action, target_user_id, before, after)
select null, 'role.bootstrap', p.user_id, jsonb_build_object('role', p.previous_role), jsonb_build_object('role', 'admin')
from promoted p;
