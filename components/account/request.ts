import { isStepUpRequirement, type StepUpRequirement } from "@/lib/auth/step-up-requirement";

/** An error answered by the app's route handlers (`{ ok: false, error }`), or a network failure. */
export class RequestError extends Error {
  readonly code: string;
  /** For `step_up_required`: what proves it is the account holder. */
  readonly requirement: StepUpRequirement | null;
  constructor(code: string, message: string, requirement: unknown = null) {
    super(message);
    this.code = code;
    this.requirement = isStepUpRequirement(requirement) ? requirement : null;
  }
}

/**
 * A call to one of the app's own JSON route handlers (same origin: the session cookie goes along, the
 * browser never sees a token). Resolves with the `{ ok: true, … }` body; anything else rejects with a
 * RequestError carrying the server's code and message.
 */
export async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) } });
  } catch {
    throw new RequestError("network", "The server could not be reached. Check your connection and try again.");
  }
  const body = (await res.json().catch(() => null)) as ({ ok?: boolean; error?: { code?: string; message?: string; requirement?: unknown } } & T) | null;
  if (!res.ok || !body || body.ok !== true) {
    const error = body?.error;
    throw new RequestError(error?.code ?? "internal", error?.message ?? `Something went wrong (${res.status}). Please try again.`, error?.requirement);
  }
  return body;
}

/** What a failed request tells the person. */
export function failureMessage(error: unknown): string {
  if (error instanceof RequestError && error.code === "unauthenticated") return "Your session has ended. Sign in again to continue.";
  return error instanceof Error ? error.message : "Something went wrong. Please try again.";
}
