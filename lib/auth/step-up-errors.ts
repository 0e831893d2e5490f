import { postgresError } from "../db/errors";
import { AppError } from "../errors";
import { isStepUpRequirement, stepUpMessage, type StepUpRequirement } from "./step-up-requirement";

/** The SQLSTATE of private.assert_step_up(): its DETAIL is the StepUpRequirement. */
export const STEP_UP_SQLSTATE = "SU001";

export function stepUpRequired(requirement: StepUpRequirement): AppError {
  return new AppError({ code: "step_up_required", message: stepUpMessage(requirement), details: { requirement } });
}

/** The `step_up_required` AppError if `error` is private.assert_step_up()'s refusal, else null. */
export function stepUpDenial(error: unknown): AppError | null {
  const pg = postgresError(error);
  if (pg?.code !== STEP_UP_SQLSTATE) return null;
  const detail = (error as { detail?: unknown }).detail;
  // An unknown detail still refuses, asking for a fresh sign-in, which any person can give.
  return stepUpRequired(isStepUpRequirement(detail) ? detail : "recent_sign_in");
}
