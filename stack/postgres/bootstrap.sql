-- What a Supabase database has before any migration runs: the API roles, the Auth server's role and
-- schema, the extensions schema and the grants the Supabase images ship. Run as the superuser.
-- Every statement converges (create if missing, then set the attributes), so this runs on every start,
-- on any database of the cluster. Roles are cluster-wide; schemas and grants are per database.

do $$
declare
  name text;
begin
  foreach name in array array['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin'] loop
    if not exists (select 1 from pg_roles where rolname = name) then
      execute format('create role %I', name);
    end if;
  end loop;
end
$$;

-- The API roles never log in: the authenticator logs in and switches to one of them per request.
alter role anon nologin noinherit nobypassrls;
alter role authenticated nologin noinherit nobypassrls;
alter role service_role nologin noinherit bypassrls;
alter role authenticator login noinherit password 'postgres';
grant anon, authenticated, service_role to authenticator;

-- As in the Supabase image: CREATEROLE, NOINHERIT, and `auth` first on its search path.
alter role supabase_auth_admin login noinherit createrole noreplication password 'postgres';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role postgres set search_path = "$user", public, extensions;

-- Extensions live in their own schema, reachable by the API roles.
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'uuid-ossp') then
    create extension if not exists "uuid-ossp" with schema extensions;
  end if;
  if exists (select 1 from pg_available_extensions where name = 'pgcrypto') then
    create extension if not exists pgcrypto with schema extensions;
  end if;
end
$$;

-- The Auth server owns its schema and creates its tables through its own migrations (as
-- supabase_auth_admin), so the default privileges below are what let postgres read them.
create schema if not exists auth authorization supabase_auth_admin;
alter schema auth owner to supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on functions to postgres;
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;

-- The public schema as Supabase ships it: everything postgres creates there is granted to the API
-- roles, and row level security is what restricts them.
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- Migration history, as the Supabase CLI keeps it (its tables are created by the migrations runner).
create schema if not exists supabase_migrations;
