import { NextResponse, type NextRequest } from "next/server";
import { noStore } from "@/lib/http/no-store";
import { getConfig } from "@/lib/config";
import { assertSameOrigin } from "@/lib/auth/csrf";
import { createClient } from "@/lib/supabase/server";
import { toHttpStatus, type AppError } from "@/lib/errors";

export async function POST(request: NextRequest) {
  const { appOrigin } = getConfig();
  try {
    assertSameOrigin(request.headers, appOrigin);
  } catch (error) {
    return noStore(NextResponse.json({ error: (error as AppError).message }, { status: toHttpStatus(error) }));
  }
  const form = await request.formData();
  const scope = form.get("scope") === "global" ? "global" : "local";
  const supabase = await createClient();
  await supabase.auth.signOut({ scope });
  return noStore(NextResponse.redirect(new URL("/login?signed_out=1", appOrigin), 303));
}
