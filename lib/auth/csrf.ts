import { AppError } from "../errors";

/**
 * CSRF check for state-changing requests: the browser's `Origin` (or, without it, `Sec-Fetch-Site`) must say
 * the request comes from the app itself. `Origin: null` (sandboxed frames, some redirects) is refused.
 */
export function assertSameOrigin(headers: Headers, appOrigin: string): void {
  const origin = headers.get("origin");
  if (origin !== null) {
    if (origin === appOrigin) return;
    throw new AppError({ code: "csrf", message: "Cross-origin request refused" });
  }
  const site = headers.get("sec-fetch-site");
  if (site === "same-origin") return;
  throw new AppError({ code: "csrf", message: "Cross-origin request refused" });
}
