import { Button } from "../ui/button";

function GoogleIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5">
      <path fill="#4285F4" d="M23.5 12.3c0-.8-.1-1.6-.2-2.3H12v4.4h6.5a5.6 5.6 0 0 1-2.4 3.6v3h3.9c2.2-2.1 3.5-5.1 3.5-8.7Z" />
      <path fill="#34A853" d="M12 24c3.2 0 6-1.1 7.9-2.9l-3.9-3c-1 .7-2.4 1.1-4 1.1-3.1 0-5.7-2.1-6.6-4.9H1.4v3.1A12 12 0 0 0 12 24Z" />
      <path fill="#FBBC05" d="M5.4 14.3a7.2 7.2 0 0 1 0-4.6V6.6h-4a12 12 0 0 0 0 10.8l4-3.1Z" />
      <path fill="#EA4335" d="M12 4.8c1.7 0 3.3.6 4.5 1.8l3.4-3.4A12 12 0 0 0 1.4 6.6l4 3.1C6.3 6.9 8.9 4.8 12 4.8Z" />
    </svg>
  );
}

function AppleIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="currentColor">
      <path d="M16.4 12.6c0-2.6 2.1-3.8 2.2-3.9a4.8 4.8 0 0 0-3.8-2c-1.6-.2-3.1.9-3.9.9-.8 0-2-.9-3.4-.9a5 5 0 0 0-4.2 2.6c-1.8 3.1-.5 7.7 1.3 10.2.9 1.2 1.9 2.6 3.2 2.6 1.3-.1 1.8-.8 3.3-.8 1.6 0 2 .8 3.4.8 1.4 0 2.3-1.3 3.1-2.5a11 11 0 0 0 1.4-2.9 4.5 4.5 0 0 1-2.6-4.1ZM13.9 5.1A4.4 4.4 0 0 0 15 1.9a4.6 4.6 0 0 0-3 1.5 4.2 4.2 0 0 0-1.1 3.1c1.2.1 2.3-.6 3-1.4Z" />
    </svg>
  );
}

/**
 * Each button posts to the app's server, which starts the OAuth flow; no token ever reaches the page.
 * "Use another Google account" asks Google for its account chooser (`prompt=select_account`), for people
 * whose browser is signed in to Google with an account they do not want to use here.
 */
export function ProviderButtons({ next }: { next: string }) {
  return (
    <div className="flex flex-col gap-3">
      <form method="post" action="/auth/sign-in">
        <input type="hidden" name="provider" value="google" />
        <input type="hidden" name="next" value={next} />
        <Button type="submit" variant="secondary">
          <GoogleIcon />
          Continue with Google
        </Button>
      </form>
      <form method="post" action="/auth/sign-in" className="-mt-1 text-center">
        <input type="hidden" name="provider" value="google" />
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="prompt" value="select_account" />
        <button
          type="submit"
          className="rounded text-sm text-zinc-600 underline underline-offset-2 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-2"
        >
          Use another Google account
        </button>
      </form>
      <form method="post" action="/auth/sign-in">
        <input type="hidden" name="provider" value="apple" />
        <input type="hidden" name="next" value={next} />
        <Button type="submit" variant="primary">
          <AppleIcon />
          Continue with Apple
        </Button>
      </form>
    </div>
  );
}
