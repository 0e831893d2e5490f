import { open } from "node:fs/promises";

/**
 * The last `lines` lines of a file written after byte `from` (at most the last 64 KiB), or a note
 * when there are none.
 */
export async function tailFile(path: string, lines: number, indent = "  ", from = 0): Promise<string> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return `${indent}(no log at ${path})`;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(Math.max(0, size - from), 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8").replace(/^\n+|\n+$/g, "");
    if (!text.trim()) return `${indent}(nothing in ${path})`;
    return text
      .split("\n")
      .slice(-lines)
      .map((line) => `${indent}${line}`)
      .join("\n");
  } finally {
    await handle.close();
  }
}
