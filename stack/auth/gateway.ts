import type { Secrets } from "./config.ts";

export type GatewayResult =
  | { ok: true; role: "anon" | "service_role"; authorization: string | undefined }
  | { ok: false; status: 401; body: { message: string } };

/**
 * The hosted API gateway in front of Supabase Auth: every API call needs a known `apikey` (header or query).
 * The new-format keys (`sb_publishable_…`, `sb_secret_…`) are not JWTs, so when one is also used as the bearer
 * token the gateway swaps in the legacy JWT of the same role, as the hosted gateway does.
 */
export function checkApiKey(
  secrets: Secrets,
  apikey: string | undefined,
  authorization: string | undefined,
): GatewayResult {
  if (!apikey) return { ok: false, status: 401, body: { message: "No API key found in request" } };
  const roles: Record<string, "anon" | "service_role"> = {
    [secrets.anon_key]: "anon",
    [secrets.publishable_key]: "anon",
    [secrets.service_role_key]: "service_role",
    [secrets.secret_key]: "service_role",
  };
  const role = roles[apikey];
  if (!role) return { ok: false, status: 401, body: { message: "Invalid API key" } };
  let auth = authorization;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
  if (bearer?.startsWith("sb_")) {
    const bearerRole = roles[bearer];
    if (!bearerRole) return { ok: false, status: 401, body: { message: "Invalid API key" } };
    auth = `Bearer ${bearerRole === "anon" ? secrets.anon_key : secrets.service_role_key}`;
  }
  return { ok: true, role, authorization: auth };
}
