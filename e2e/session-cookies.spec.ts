import { expect, test } from "@playwright/test";
import { localEnv, signIn, uniqueEmail } from "./support";

function decodeSessionCookie(value: string): { access_token: string; refresh_token: string } {
  const raw = decodeURIComponent(value);
  const json = raw.startsWith("base64-") ? Buffer.from(raw.slice(7), "base64url").toString("utf8") : raw;
  return JSON.parse(json) as { access_token: string; refresh_token: string };
}

for (const provider of ["google", "apple"] as const) {
  test(`${provider}: no token reaches page JavaScript; sb- cookies are HttpOnly, Lax and unchunked`, async ({ page, context }) => {
    await signIn(page, provider, { email: uniqueEmail(`c-${provider}`), name: "Cookie Person" });
    await expect(page).toHaveURL(/\/account$/);

    const visible = await page.evaluate(() => document.cookie);
    expect(visible).not.toContain("sb-");
    expect(visible).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);

    const cookies = (await context.cookies()).filter((c) => c.name.startsWith("sb-"));
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.httpOnly, cookie.name).toBe(true);
      expect(cookie.sameSite, cookie.name).toBe("Lax");
    }
    const authCookies = cookies.filter((c) => /-auth-token(\.\d+)?$/.test(c.name));
    expect(authCookies.map((c) => c.name)).toHaveLength(1);
    expect(authCookies[0]?.name).toMatch(/^sb-[\w-]+-auth-token$/);

    const session = decodeSessionCookie(authCookies[0]?.value ?? "");
    const [headerPart] = session.access_token.split(".");
    const header = JSON.parse(Buffer.from(headerPart ?? "", "base64url").toString("utf8")) as { alg: string; kid: string };
    expect(header.alg).toBe("ES256");
    const env = localEnv();
    const jwks = (await (await fetch(`${env.NEXT_PUBLIC_SUPABASE_URL}/auth/v1/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
  });
}
