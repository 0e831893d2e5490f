import { isStepUpRequirement, type StepUpRequirement } from "@/lib/auth/step-up-requirement";

/** An error answered by one of the app's route handlers (`{ ok: false, error }`), or a network failure. */
export class ActionError extends Error {
  readonly code: string;
  /** For `step_up_required`: what proves it is the account holder. */
  readonly requirement: StepUpRequirement | null;
  /** For `rate_limited`: seconds until another try is accepted. */
  readonly retryAfter: number | null;
  constructor(code: string, message: string, extra: { requirement?: unknown; retryAfter?: unknown } = {}) {
    super(message);
    this.code = code;
    this.requirement = isStepUpRequirement(extra.requirement) ? extra.requirement : null;
    this.retryAfter = typeof extra.retryAfter === "number" && Number.isFinite(extra.retryAfter) ? extra.retryAfter : null;
  }
}

type ErrorBody = { ok?: boolean; error?: { code?: string; message?: string; requirement?: unknown; retryAfter?: unknown } };

/** The error a non-OK response carries, read from its JSON body. */
export async function responseError(res: Response): Promise<ActionError> {
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  const error = body?.error;
  return new ActionError(error?.code ?? "internal", error?.message ?? `Something went wrong (${res.status}). Please try again.`, {
    requirement: error?.requirement,
    retryAfter: error?.retryAfter,
  });
}

/** A same-origin POST of a JSON body to one of the app's route handlers (the session cookie goes along). */
export async function postJson(url: string, body: unknown, accept = "application/json"): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { accept, "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new ActionError("network", "The server could not be reached. Check your connection and try again.");
  }
  if (!res.ok) throw await responseError(res);
  return res;
}

/** What a failed request tells the person. */
export function failureText(error: unknown): string {
  if (error instanceof ActionError && error.code === "unauthenticated") return "Your session has ended. Sign in again to continue.";
  return error instanceof Error ? error.message : "Something went wrong. Please try again.";
}
