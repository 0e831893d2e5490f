-- Admin gets the two new permissions; support becomes read-only (users.read and audit.read): every write of
-- the admin dashboard, ending sessions included, is an admin's.
--
-- Mirrored by lib/auth/permissions.ts; lib/auth/permissions.test.ts parses these statements, so keep one
-- `('role', 'permission')` tuple per row and one `role = '…' and permission = '…'` pair per delete.
insert into public.role_permissions (role, permission) values
  ('admin', 'users.create'),
  ('admin', 'factors.delete');

delete from public.role_permissions where role = 'support' and permission = 'sessions.revoke';
