import { NextResponse } from "next/server";
import { noStore } from "@/lib/http/no-store";
import { readForm } from "@/lib/http/read-form";
import { getConfig } from "@/lib/config";
import { parseSignInForm } from "@/lib/auth/sign-in-form";
import { startOAuthSignIn } from "@/lib/auth/sign-in";
import { withSameOrigin } from "@/lib/auth/route";
import { AppError } from "@/lib/errors";

function loginWithError(appOrigin: string, error: string, next: string): NextResponse {
  const url = new URL("/login", appOrigin);
  url.searchParams.set("error", error);
  if (next !== "/") url.searchParams.set("next", next);
  return noStore(NextResponse.redirect(url, 303));
}

export const POST = withSameOrigin(async (request) => {
  const { appOrigin } = getConfig();
  const form = parseSignInForm(await readForm(request));
  if (!form.ok) return loginWithError(appOrigin, form.error, form.next);
  try {
    const url = await startOAuthSignIn(form.value);
    return noStore(NextResponse.redirect(url, 303));
  } catch (error) {
    if (error instanceof AppError && error.code === "auth_unavailable") {
      return noStore(NextResponse.redirect(new URL("/unavailable", appOrigin), 303));
    }
    return loginWithError(appOrigin, "failed", form.value.next);
  }
});
