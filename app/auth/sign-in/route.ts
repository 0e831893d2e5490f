import { NextResponse } from "next/server";
import { noStore } from "@/lib/http/no-store";
import { getConfig } from "@/lib/config";
import { isProvider } from "@/lib/auth/providers";
import { safeNextPath } from "@/lib/auth/redirect";
import { startOAuthSignIn } from "@/lib/auth/sign-in";
import { withSameOrigin } from "@/lib/auth/route";
import { AppError } from "@/lib/errors";

export const POST = withSameOrigin(async (request) => {
  const { appOrigin } = getConfig();
  const form = await request.formData();
  const provider = form.get("provider");
  const next = safeNextPath(form.get("next"));
  if (!isProvider(provider)) {
    return noStore(NextResponse.redirect(new URL(`/login?error=provider`, appOrigin), 303));
  }
  try {
    const url = await startOAuthSignIn(provider, next);
    return noStore(NextResponse.redirect(url, 303));
  } catch (error) {
    if (error instanceof AppError && error.code === "auth_unavailable") {
      return noStore(NextResponse.redirect(new URL("/unavailable", appOrigin), 303));
    }
    return noStore(NextResponse.redirect(new URL("/login?error=failed", appOrigin), 303));
  }
});
