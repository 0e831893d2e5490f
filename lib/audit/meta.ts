import { z } from "zod";

/** Where an audited action came from, as public.audit_events stores it (ip inet, user_agent ≤ 1024, request_id ≤ 128). */
export type AuditMeta = { ip: string | null; userAgent: string | null; requestId: string | null };

export type AuditMetaInput = { ip?: string | null; userAgent?: string | null; requestId?: string | null };

const ip = z.union([z.ipv4(), z.ipv6()]);
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const USER_AGENT_MAX = 1024;

/**
 * Values that would break the row's constraints are dropped (an unparsable ip, an odd request id) or cut
 * (a long user agent): an audit entry is never lost because a header was malformed.
 */
export function auditMeta(input: AuditMetaInput = {}): AuditMeta {
  const rawIp = input.ip?.trim() ?? "";
  const ua = input.userAgent?.replace(/[\u0000-\u001f\u007f]/g, " ").trim() ?? "";
  const requestId = input.requestId?.trim() ?? "";
  return {
    ip: ip.safeParse(rawIp).success ? rawIp : null,
    // char_length() counts code points, not UTF-16 units.
    userAgent: ua === "" ? null : Array.from(ua).slice(0, USER_AGENT_MAX).join(""),
    requestId: REQUEST_ID.test(requestId) ? requestId : null,
  };
}

/**
 * The audit metadata of a request. Trap: the first `X-Forwarded-For` entry is only as trustworthy as the
 * proxy in front of the app (Vercel and most load balancers overwrite it); it is recorded, never trusted.
 */
export function auditMetaFromHeaders(headers: Headers): AuditMeta {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0];
  return auditMeta({
    ip: forwarded ?? headers.get("x-real-ip"),
    userAgent: headers.get("user-agent"),
    requestId: headers.get("x-request-id") ?? headers.get("x-vercel-id"),
  });
}
