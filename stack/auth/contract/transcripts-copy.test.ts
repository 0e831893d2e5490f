import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The transcripts are data the project keeps a byte-identical copy of (`transcripts/`), so its tests stand
 * alone on a user's machine. Wherever the shared folder they come from exists (`<repo>/../shared/auth-contract`),
 * the copy must equal it: a changed, added or removed file there fails here until the copy is refreshed
 * (`cp ../shared/auth-contract/* stack/auth/contract/transcripts/`).
 */
const COPY = join(import.meta.dirname, "transcripts");
const REPO = resolve(import.meta.dirname, "..", "..", "..");
const SHARED = resolve(REPO, "..", "shared", "auth-contract");

describe("transcripts copy", () => {
  it("holds the transcripts", () => {
    expect(readdirSync(COPY).filter((f) => f.endsWith(".json")).length).toBeGreaterThan(0);
  });

  it(`is byte-identical to ${SHARED} (when that folder exists)`, () => {
    if (!existsSync(SHARED)) return; // a user's checkout without the shared folder: the copy is the reference
    const shared = readdirSync(SHARED).sort();
    const copy = readdirSync(COPY).sort();
    const problems: string[] = [];
    for (const f of shared) {
      if (!copy.includes(f)) problems.push(`${f}: in the shared folder, missing from the copy`);
      else if (!readFileSync(join(SHARED, f)).equals(readFileSync(join(COPY, f)))) problems.push(`${f}: differs from the shared folder`);
    }
    for (const f of copy) if (!shared.includes(f)) problems.push(`${f}: in the copy, not in the shared folder`);
    expect(problems, `refresh the copy: cp ${SHARED}/* ${COPY}/`).toEqual([]);
  });
});
