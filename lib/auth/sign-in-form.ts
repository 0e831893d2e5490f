import { z } from "zod";
import { PROVIDERS, type Provider } from "./providers";
import { safeNextPath } from "./redirect";

/**
 * Google's documented `prompt` values: `none` alone, or `consent` and/or `select_account`, space-separated
 * in either order. Only these are ever forwarded to Google; any other value is refused.
 */
export const GOOGLE_PROMPTS = ["none", "consent", "select_account", "select_account consent", "consent select_account"] as const;
export type GooglePrompt = (typeof GOOGLE_PROMPTS)[number];

export type SignInRequest = {
  provider: Provider;
  /** Already validated by `safeNextPath`. */
  next: string;
  /** Passed to Google only; Apple has no such parameter. */
  prompt: GooglePrompt | null;
};

export type SignInFormResult =
  | { ok: true; value: SignInRequest }
  | { ok: false; error: "provider" | "invalid_request"; next: string };

const FIELDS = ["provider", "next", "prompt"] as const;

// An empty hidden field is the same as an absent one.
const optionalText = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const signInFormSchema = z.object({
  provider: z.enum(PROVIDERS),
  next: optionalText(z.string()),
  prompt: optionalText(z.enum(GOOGLE_PROMPTS)),
});

/**
 * The sign-in form (`provider`, optional `next` and `prompt`), strictly: each field at most once and a text
 * value; `provider` one of the app's providers, `prompt` one of Google's values. `next` never fails: an
 * unsafe target falls back to `/`, as everywhere else.
 */
export function parseSignInForm(form: FormData): SignInFormResult {
  const raw: Record<string, unknown> = {};
  let repeated = false;
  for (const name of FIELDS) {
    const values = form.getAll(name);
    if (values.length > 1) repeated = true;
    if (values.length > 0) raw[name] = values[0];
  }
  const next = safeNextPath(typeof raw.next === "string" ? raw.next : undefined);
  const parsed = signInFormSchema.safeParse(raw);
  if (!parsed.success) {
    const badProvider = parsed.error.issues.some((issue) => issue.path[0] === "provider");
    return { ok: false, error: badProvider ? "provider" : "invalid_request", next };
  }
  if (repeated) return { ok: false, error: "invalid_request", next };
  return { ok: true, value: { provider: parsed.data.provider, next, prompt: parsed.data.prompt ?? null } };
}
