import "server-only";
import { cookies, headers } from "next/headers";
import { getConfig } from "../config";
import { createSessionClient } from "./cookie-options";

/**
 * A Supabase client bound to this request's cookies. Create one per request, never at module level: it
 * carries one user's session. In Server Components cookies are read-only; the middleware has already
 * refreshed the session, so failed writes there are expected and ignored.
 */
export async function createClient() {
  // cookies() first: it marks the render as dynamic before anything reads the environment.
  const cookieStore = await cookies();
  const requestHeaders = await headers();
  const config = getConfig();
  return createSessionClient(config, {
    getAll: () => cookieStore.getAll(),
    setAll: (toSet) => {
      try {
        for (const { name, value, options } of toSet) cookieStore.set(name, value, options);
      } catch {
        // Server Component render: cookies cannot be written here.
      }
    },
  }, requestHeaders);
}
