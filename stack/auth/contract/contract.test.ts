import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiffs } from "./compare.ts";
import { runContractFile, startContractStack, TRANSCRIPTS_DIR, type ContractStack } from "./harness.ts";

/**
 * The contract: every file of the transcripts (recorded from Supabase Auth v2.196.0) replayed against the local
 * Auth server in its own environment (see harness.ts), every answer compared after normalization. One test per
 * file, none skipped; `14-auth-schema-facts` is checked against the contract database's auth schema.
 * Needs the local PostgreSQL (the test runner starts the stack first). While developing the server:
 * `node stack/auth/contract/run.ts 05 07` prints the differences of chosen files.
 */
const files = readdirSync(TRANSCRIPTS_DIR).filter((f) => /^\d+-.*\.json$/.test(f)).sort();

let stack: ContractStack | undefined;
let startError: unknown;

beforeAll(async () => {
  try {
    stack = await startContractStack();
  } catch (error) {
    startError = error;
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

describe("Supabase Auth contract", () => {
  it("has transcripts to replay", () => {
    expect(files.length).toBeGreaterThan(0);
    // Reading them is part of the contract: a broken copy fails here, not later.
    for (const f of files) JSON.parse(readFileSync(join(TRANSCRIPTS_DIR, f), "utf8"));
  });

  for (const file of files) {
    it(file, async () => {
      if (!stack) throw startError instanceof Error ? startError : new Error(String(startError));
      const diffs = await runContractFile(stack, file);
      if (diffs.length > 0) {
        throw new Error(`${diffs.length} difference(s) from the recording:\n${formatDiffs(diffs)}`);
      }
    }, 180_000);
  }
});
