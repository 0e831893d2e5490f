import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pidFile } from "../../paths.ts";
import { api, localStack, signIn, uniqueEmail } from "./flows.ts";

describe("durability", () => {
  it("kill -9 of the Auth server between sign-in and refresh, then restart: the refresh works", async () => {
    const a = await signIn("google", uniqueEmail("durable"));
    const { paths } = localStack();
    const pid = Number(readFileSync(pidFile(paths, "auth"), "utf8").trim());
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const down = await api("/health").catch(() => null);
    expect(down).toBeNull();
    execFileSync(process.execPath, ["stack/cli.ts", "start"], { stdio: "pipe" });
    const refreshed = await api("/token?grant_type=refresh_token", {
      method: "POST",
      body: JSON.stringify({ refresh_token: a.session.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { user: { id: string } };
    expect(body.user.id).toBe(a.user.id);
  });
});
