-- Enums of Supabase Auth's OAuth 2.1 server (disabled here, but part of the schema every project has).
do $$ begin
  create type auth.oauth_registration_type as enum ('dynamic', 'manual');
exception when duplicate_object then null; end $$;
do $$ begin
  create type auth.oauth_authorization_status as enum ('pending', 'approved', 'denied', 'expired');
exception when duplicate_object then null; end $$;
do $$ begin
  create type auth.oauth_response_type as enum ('code');
exception when duplicate_object then null; end $$;
do $$ begin
  create type auth.oauth_client_type as enum ('public', 'confidential');
exception when duplicate_object then null; end $$;
