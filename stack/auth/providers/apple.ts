import { goJsonError } from "../http.ts";
import { encodeQuery, type QueryValues } from "../redirect.ts";
import type { ProviderUserData } from "./index.ts";

export const APPLE_ISSUER = "https://appleid.apple.com";

/**
 * Apple's authorization URL: fixed scope `email name` and `response_mode=form_post`. Unlike Google, no
 * parameter of the request is forwarded (not even `redirect_to`).
 */
export function appleAuthorizationUrl(
  endpoint: string,
  opts: { clientId: string; redirectUri: string; state: string },
): string {
  const values: QueryValues = new Map([
    ["response_type", ["code"]],
    ["client_id", [opts.clientId]],
    ["redirect_uri", [opts.redirectUri]],
    ["scope", ["email name"]],
    ["state", [opts.state]],
    ["response_mode", ["form_post"]],
  ]);
  return `${endpoint}${endpoint.includes("?") ? "&" : "?"}${encodeQuery(values)}`;
}

/**
 * Apple's profile from its ID token. The email always counts as verified; `is_private_email` is the only
 * custom claim kept (the transcripts show no `auth_time`). The name is never in the ID token.
 */
export function appleUserData(idToken: Record<string, unknown>, issuer: string): ProviderUserData {
  const sub = typeof idToken.sub === "string" ? idToken.sub : "";
  const email = typeof idToken.email === "string" ? idToken.email : "";
  const privateEmail = idToken.is_private_email;
  const isPrivate = privateEmail === true || privateEmail === "true";
  return {
    emails: [{ email, verified: true, primary: true }],
    claims: {
      iss: typeof idToken.iss === "string" ? idToken.iss : issuer,
      sub,
      provider_id: sub,
      ...(privateEmail === undefined || privateEmail === null ? {} : { custom_claims: { is_private_email: isPrivate } }),
    },
  };
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** The error Go's encoding/json reports for the `user` field, which Supabase Auth passes on as is. */
export class AppleUserFieldError extends Error {}

/**
 * Apple's `user` form field (`{"name":{"firstName","lastName"},"email"}`), sent on the first authorization
 * only: it sets `name` and `full_name`.
 */
export function applyAppleUserField(data: ProviderUserData, field: string): ProviderUserData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(field);
  } catch {
    throw new AppleUserFieldError(goJsonError(field));
  }
  if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
    throw new AppleUserFieldError(`json: cannot unmarshal ${goTypeName(parsed)} into Go value of type provider.appleUser`);
  }
  const nameValue = (parsed as Record<string, unknown> | null)?.name;
  if (nameValue !== undefined && nameValue !== null && (typeof nameValue !== "object" || Array.isArray(nameValue))) {
    throw new AppleUserFieldError(
      `json: cannot unmarshal ${goTypeName(nameValue)} into Go struct field appleUser.name of type provider.appleName`,
    );
  }
  const name = (nameValue ?? {}) as Record<string, unknown>;
  for (const part of ["firstName", "lastName"]) {
    const value = name[part];
    if (value !== undefined && value !== null && typeof value !== "string") {
      throw new AppleUserFieldError(
        `json: cannot unmarshal ${goTypeName(value)} into Go struct field appleUser.name.${part} of type string`,
      );
    }
  }
  const full = `${(name.firstName as string | undefined) ?? ""} ${(name.lastName as string | undefined) ?? ""}`.trim();
  return { ...data, claims: { ...data.claims, name: full, full_name: full } };
}
