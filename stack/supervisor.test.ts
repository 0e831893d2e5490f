import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isPortFree, parseSsOwner } from "./supervisor.ts";

describe("parseSsOwner", () => {
  it("reads the process and pid from ss -ltnp", () => {
    expect(parseSsOwner('LISTEN 0 511 127.0.0.1:54321 0.0.0.0:* users:(("node",pid=4242,fd=21))\n')).toEqual({
      pid: 4242,
      process: "node",
      line: 'LISTEN 0 511 127.0.0.1:54321 0.0.0.0:* users:(("node",pid=4242,fd=21))',
    });
  });

  it("copes with a listener whose process is hidden (another user's)", () => {
    expect(parseSsOwner("LISTEN 0 244 127.0.0.1:54322 0.0.0.0:*")).toMatchObject({ pid: null, process: null });
    expect(parseSsOwner("")).toBeNull();
  });
});

describe("isPortFree", () => {
  it("sees a port held by a listener", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    expect(await isPortFree(port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await isPortFree(port)).toBe(true);
  });
});
