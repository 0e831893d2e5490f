import { expect, test } from "@playwright/test";
import { signIn, sql, uniqueEmail, userIdByEmail } from "./support";

test("the session records the browser's user agent and address, not the app server's", async ({ page }) => {
  const email = uniqueEmail("device");
  await signIn(page, "google", { email });
  const browserAgent = await page.evaluate(() => navigator.userAgent);
  const rows = await sql<{ user_agent: string | null; ip: string | null }>(
    "select user_agent, host(ip) as ip from auth.sessions where user_id = $1",
    [await userIdByEmail(email)],
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]?.user_agent).toBe(browserAgent);
  expect(rows[0]?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
});
