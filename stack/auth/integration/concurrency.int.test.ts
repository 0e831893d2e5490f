import { describe, expect, it } from "vitest";
import { api, signIn, uniqueEmail } from "./flows.ts";

describe("concurrency", () => {
  it("30 parallel refreshes of one token all succeed with the same new token; the session stays intact", async () => {
    const a = await signIn("google", uniqueEmail("conc"));
    const refresh = a.session.refresh_token;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        api("/token?grant_type=refresh_token", { method: "POST", body: JSON.stringify({ refresh_token: refresh }) }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(200));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { refresh_token: string; access_token: string }[];
    const tokens = new Set(bodies.map((b) => b.refresh_token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(refresh)).toBe(false);
    const user = await api("/user", { token: bodies[0]!.access_token });
    expect(user.status).toBe(200);
    const next = await api("/token?grant_type=refresh_token", { method: "POST", body: JSON.stringify({ refresh_token: [...tokens][0] }) });
    expect(next.status).toBe(200);
  });

  it("30 parallel sign-ins of different users: 30 distinct users and sessions, no deadlock", async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signIn(i % 2 ? "apple" : "google", uniqueEmail(`par${i}`))),
    );
    expect(new Set(results.map((r) => r.user.id)).size).toBe(30);
    const sessions = new Set(
      results.map((r) => JSON.parse(Buffer.from(r.session.access_token.split(".")[1]!, "base64url").toString()).session_id),
    );
    expect(sessions.size).toBe(30);
  });
});
