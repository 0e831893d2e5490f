import { getConfig } from "../config";

/** True when the Auth server answers its health check within `timeoutMs`. */
export async function authServerAnswers(timeoutMs: number): Promise<boolean> {
  const config = getConfig();
  try {
    const res = await fetch(`${config.supabaseUrl}/auth/v1/health`, {
      headers: { apikey: config.supabaseKey },
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    return res.ok;
  } catch {
    return false;
  }
}
