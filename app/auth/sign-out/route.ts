import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config";
import { withSameOrigin } from "@/lib/auth/route";
import { noStore } from "@/lib/http/no-store";
import { readForm } from "@/lib/http/read-form";
import { createClient } from "@/lib/supabase/server";

export const POST = withSameOrigin(async (request) => {
  const { appOrigin } = getConfig();
  const form = await readForm(request);
  const scope = form.get("scope") === "global" ? "global" : "local";
  const supabase = await createClient();
  await supabase.auth.signOut({ scope });
  return noStore(NextResponse.redirect(new URL("/login?signed_out=1", appOrigin), 303));
});
