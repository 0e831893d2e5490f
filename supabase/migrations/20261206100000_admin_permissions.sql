-- Two permissions for the admin dashboard's writes: creating a user (through the Auth admin API) and removing
-- a user's MFA factor (a lost phone). A new enum value cannot be used in the transaction that adds it, and
-- each migration file runs in one transaction, so the grants are in the next file.
--
-- lib/auth/permissions.test.ts reads these statements to keep lib/auth/permissions.ts equal to the enum.
alter type public.app_permission add value if not exists 'users.create' after 'users.write';
alter type public.app_permission add value if not exists 'factors.delete' after 'roles.assign';
