import "server-only";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { getServerConfig } from "../server-config";

/**
 * The Supabase Auth admin client, built with the secret (service-role) key: it bypasses RLS and every
 * check of the Auth server, so only lib/admin/ operations use it, after their own permission check, and
 * lib/account/delete-account.ts, for the caller's own id after the session and step-up checks.
 * A new client per call, never at module level, and it never holds a session: nothing may leak from one
 * request to another, and the key never reaches a client bundle (`server-only` fails such a build).
 */
export function createAdminClient(): SupabaseClient {
  const config = getServerConfig();
  return createClient(config.supabaseUrl, config.secretKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}
