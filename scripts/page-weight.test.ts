import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { initialScripts, pageWeight } from "./page-weight.ts";

describe("initialScripts", () => {
  it("lists each script src once, resolved against the page, ignoring inline scripts", () => {
    const html = `<html><head><script src="/_next/static/chunks/a.js" async=""></script>
      <script>self.__next_f=[]</script><script src="/_next/static/chunks/b.js?dpl=x&amp;v=1"></script>
      <script src="/_next/static/chunks/a.js" async=""></script><link rel="stylesheet" href="/x.css">
      <script src="/_next/static/chunks/polyfills.js" noModule="" nonce="n"></script></head></html>`;
    expect(initialScripts(html, "http://127.0.0.1:3000/login")).toEqual([
      "http://127.0.0.1:3000/_next/static/chunks/a.js",
      "http://127.0.0.1:3000/_next/static/chunks/b.js?dpl=x&v=1",
    ]);
  });
});

describe("pageWeight", () => {
  it("sums the raw and gzip sizes of a page's scripts and refuses a redirect", async () => {
    const a = "console.log('a');".repeat(50);
    const b = "let b = 1;";
    const server = createServer((req, res) => {
      if (req.url === "/page") res.end(`<script src="/a.js"></script><script src="/b.js"></script>`);
      else if (req.url === "/a.js") res.end(a);
      else if (req.url === "/b.js") res.end(b);
      else res.writeHead(307, { location: "/login" }).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    try {
      expect(await pageWeight(base, "/page")).toEqual({
        path: "/page",
        scripts: 2,
        bytes: a.length + b.length,
        gzipBytes: gzipSync(a, { level: 9 }).length + gzipSync(b, { level: 9 }).length,
      });
      await expect(pageWeight(base, "/account")).rejects.toThrow("/account answered 307 /login");
    } finally {
      server.close();
    }
  });
});
