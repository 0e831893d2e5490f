import { gzipSync } from "node:zlib";

/**
 * The JavaScript a browser loads before a page is interactive: every `<script src>` in the server-rendered
 * HTML (Next.js lists the page's initial chunks there), each once, in order. `nomodule` scripts (Next's
 * legacy polyfills) are left out: every browser that runs modules skips them.
 */
export function initialScripts(html: string, base: string): string[] {
  const urls: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/gi)) {
    if (/\snomodule(?=[\s=>/])/i.test(m[0])) continue;
    const url = new URL((m[1] as string).replaceAll("&amp;", "&"), base).toString();
    if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}

export type PageWeight = { path: string; scripts: number; bytes: number; gzipBytes: number };

/** First-load JavaScript of a page: its initial scripts fetched from the server, raw and gzip-compressed (level 9). */
export async function pageWeight(base: string, path: string, headers: Record<string, string> = {}): Promise<PageWeight> {
  const res = await fetch(new URL(path, base), { headers, redirect: "manual" });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status} ${res.headers.get("location") ?? ""}`);
  const scripts = initialScripts(await res.text(), base);
  let bytes = 0;
  let gzipBytes = 0;
  for (const url of scripts) {
    const script = await fetch(url);
    if (!script.ok) throw new Error(`${url} answered ${script.status}`);
    const body = Buffer.from(await script.arrayBuffer());
    bytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { path, scripts: scripts.length, bytes, gzipBytes };
}
