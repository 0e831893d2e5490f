import type { Provider } from "@/lib/auth/providers";
import { reauthenticationForm, RECENT_SIGN_IN_MINUTES, type StepUpRequirement } from "@/lib/auth/step-up-requirement";
import { Button } from "../ui/button";

const LABEL: Record<Provider, string> = { google: "Google", apple: "Apple" };

/**
 * Asks the person to prove it is them before a sensitive action. Without a factor: a fresh sign-in with one
 * of their own providers, which brings them back to `next` (the action's page). With a factor: a code from
 * the authenticator app, on the two-factor prompt.
 */
export function StepUpPrompt({ requirement, next, providers }: { requirement: StepUpRequirement; next: string; providers: readonly Provider[] }) {
  return (
    <section aria-labelledby="step-up-title" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950" data-testid="step-up-prompt">
      <h2 id="step-up-title" className="font-semibold">
        Confirm it&apos;s you
      </h2>
      {requirement === "aal2" ? (
        <p className="mt-1">This needs a code from your authenticator app. Enter a code on the two-factor prompt, then come back.</p>
      ) : (
        <>
          <p className="mt-1">
            This needs a sign-in from the last {RECENT_SIGN_IN_MINUTES} minutes. Sign in again with your account; you will come back to this page.
          </p>
          {providers.length === 0 ? (
            <p className="mt-2">Sign out, sign in again, then come back to this page.</p>
          ) : (
            <div className="mt-3 flex flex-col gap-2 sm:flex-row">
              {providers.map((provider) => {
                const form = reauthenticationForm(provider, next);
                return (
                  <form key={provider} method="post" action="/auth/sign-in" className="sm:w-auto">
                    <input type="hidden" name="provider" value={form.provider} />
                    <input type="hidden" name="next" value={form.next} />
                    {form.prompt ? <input type="hidden" name="prompt" value={form.prompt} /> : null}
                    <Button type="submit" variant="secondary" className="sm:w-auto">
                      Sign in again with {LABEL[provider]}
                    </Button>
                  </form>
                );
              })}
            </div>
          )}
        </>
      )}
    </section>
  );
}
