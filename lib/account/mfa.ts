import "server-only";
import { isAuthApiError, isAuthRetryableFetchError } from "@supabase/supabase-js";
import { stepUpRequired } from "../auth/step-up-errors";
import { AppError } from "../errors";
import { createClient } from "../supabase/server";
import { parseInput } from "./account-errors";
import { enrolInput, promptInput, removeFactorInput, verifyEnrolmentInput } from "./mfa-input";

export { enrolInput, promptInput, removeFactorInput, verifyEnrolmentInput };

/** One TOTP factor of the user, as the Two-factor section lists it. */
export type AccountFactor = { id: string; name: string; verified: boolean; createdAt: string };

/** What enrolment shows once: the QR code as a data: URI (an image, never markup) and the secret as text. */
export type Enrolment = { factorId: string; name: string; qrCode: string; secret: string };


/** The Auth server's refusals, as the app's errors: never a 500 for something the person did. */
export function mfaError(error: unknown): unknown {
  if (isAuthRetryableFetchError(error)) return new AppError({ code: "auth_unavailable", message: "Sign-in service unavailable" });
  if (!isAuthApiError(error)) return error;
  switch (error.code) {
    case "mfa_verification_failed":
    case "mfa_challenge_expired":
    case "mfa_ip_address_mismatch":
      return new AppError({ code: "invalid_input", message: "That code is not right. Enter the current code from your authenticator app." });
    case "mfa_factor_not_found":
      return new AppError({ code: "not_found", message: "That authenticator is not on your account" });
    case "mfa_factor_name_conflict":
      return new AppError({ code: "invalid_input", message: "You already have an authenticator with that name" });
    case "insufficient_aal":
      return stepUpRequired("aal2");
    case "session_not_found":
    case "bad_jwt":
    case "no_authorization":
      return new AppError({ code: "unauthenticated", message: "Sign in to continue" });
    default:
      if (error.status === 429) return new AppError({ code: "rate_limited", message: "Too many attempts. Wait a moment and try again." });
      if (error.status >= 400 && error.status < 500) return new AppError({ code: "invalid_input", message: "The sign-in service refused this request" });
      return new AppError({ code: "auth_unavailable", message: "Sign-in service unavailable" });
  }
}

async function run<T>(fn: () => Promise<{ data: T; error: unknown }>): Promise<NonNullable<T>> {
  let result: { data: T; error: unknown };
  try {
    result = await fn();
  } catch (error) {
    throw mfaError(error);
  }
  if (result.error) throw mfaError(result.error);
  if (result.data === null || result.data === undefined) throw new AppError({ code: "auth_unavailable", message: "Sign-in service unavailable" });
  return result.data;
}

/** The user's TOTP factors, from the Auth server (there is no list endpoint: they come with the user). */
export async function listFactors(): Promise<AccountFactor[]> {
  const supabase = await createClient();
  const data = await run(() => supabase.auth.mfa.listFactors());
  return data.all
    .filter((f) => f.factor_type === "totp")
    .map((f) => ({ id: f.id, name: f.friendly_name ?? "Authenticator app", verified: f.status === "verified", createdAt: f.created_at }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Starts enrolling an authenticator app. An earlier enrolment left unfinished is removed first (it would
 * hold the name, and a factor that was never verified protects nothing).
 */
export async function enrolTotp(raw: unknown): Promise<Enrolment> {
  const input = parseInput(enrolInput, raw);
  const supabase = await createClient();
  const { all } = await run(() => supabase.auth.mfa.listFactors());
  for (const f of all) {
    if (f.status !== "verified") await run(() => supabase.auth.mfa.unenroll({ factorId: f.id }));
  }
  const data = await run(() => supabase.auth.mfa.enroll({ factorType: "totp", friendlyName: input.name }));
  const svg = data.totp.qr_code;
  // The Auth server answers an SVG document (supabase-js may already have made it a data: URI). It is only
  // ever shown as an image source: base64 so no character of it can end the attribute.
  const markup = svg.startsWith(SVG_DATA_PREFIX) ? svg.slice(SVG_DATA_PREFIX.length) : svg;
  const qrCode = `data:image/svg+xml;base64,${Buffer.from(markup, "utf8").toString("base64")}`;
  return { factorId: data.id, name: data.friendly_name ?? input.name, qrCode, secret: data.totp.secret };
}

const SVG_DATA_PREFIX = "data:image/svg+xml;utf-8,";

/** Checks the first code of a new factor: it becomes verified and this session aal2 (new cookies). */
export async function verifyEnrolment(raw: unknown): Promise<{ factorId: string }> {
  const input = parseInput(verifyEnrolmentInput, raw);
  const supabase = await createClient();
  await run(() => supabase.auth.mfa.challengeAndVerify({ factorId: input.factorId, code: input.code }));
  return { factorId: input.factorId };
}

/** Removes a factor. The route has already required step-up (an aal2 session when a factor exists). */
export async function removeFactor(raw: unknown): Promise<{ factorId: string }> {
  const input = parseInput(removeFactorInput, raw);
  const supabase = await createClient();
  await run(() => supabase.auth.mfa.unenroll({ factorId: input.factorId }));
  return { factorId: input.factorId };
}

/** The sign-in prompt: a code for the user's verified TOTP factor raises this session to aal2. */
export async function verifySignInCode(raw: unknown): Promise<{ next: string | undefined }> {
  const input = parseInput(promptInput, raw);
  const supabase = await createClient();
  const { totp } = await run(() => supabase.auth.mfa.listFactors());
  const factor = totp.find((f) => f.status === "verified");
  if (!factor) throw new AppError({ code: "invalid_input", message: "There is no authenticator on this account" });
  await run(() => supabase.auth.mfa.challengeAndVerify({ factorId: factor.id, code: input.code }));
  return { next: input.next };
}
