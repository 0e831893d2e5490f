import { formatDiff } from "./compare.ts";
import { runContractFile, startContractStack, transcriptFiles } from "./harness.ts";

/**
 * Replays transcripts against the local Auth server and prints the differences — the contract test without
 * the test runner, handy while developing the server.
 *
 *   node stack/auth/contract/run.ts [--verbose] [file-prefix…]      e.g. `run.ts 05 07-user`
 *
 * Needs the local PostgreSQL on 127.0.0.1:54322 (`npm run stack -- start`); everything else (database
 * contract_auth, secrets, keys, emulators, Auth server) is set up here and torn down after. Logs of the
 * services: .stack/contract/*.log. Exit code 1 when there is any difference.
 */
const args = process.argv.slice(2);
const verbose = args.includes("--verbose") || args.includes("-v");
const prefixes = args.filter((a) => !a.startsWith("-"));
if (args.includes("--help") || args.includes("-h")) {
  console.log("usage: node stack/auth/contract/run.ts [--verbose] [file-prefix…]");
  process.exit(0);
}

const all = await transcriptFiles();
const files = prefixes.length === 0 ? all : all.filter((f) => prefixes.some((p) => f.startsWith(p)));
if (files.length === 0) {
  console.error(`no transcript matches ${prefixes.join(" ")}; files: ${all.join(", ")}`);
  process.exit(2);
}

const started = Date.now();
const stack = await startContractStack({ log: (line) => console.error(`· ${line}`) }).catch((error: unknown) => {
  console.error(`cannot start the contract environment: ${(error as Error).message}`);
  process.exit(2);
});
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
};
process.on("SIGINT", () => void stop(130));

let total = 0;
for (const file of files) {
  const t0 = Date.now();
  let diffs;
  try {
    diffs = await runContractFile(stack, file, verbose ? { log: (line) => console.error(`  ${line}`) } : {});
  } catch (error) {
    console.log(`✗ ${file}: ${(error as Error).stack ?? String(error)}`);
    total += 1;
    continue;
  }
  total += diffs.length;
  const time = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  if (diffs.length === 0) console.log(`✓ ${file} (${time})`);
  else {
    console.log(`✗ ${file}: ${diffs.length} difference(s) (${time})`);
    for (const d of diffs) console.log(`  ${formatDiff(d)}`);
  }
}
console.log(
  `${total === 0 ? "no differences" : `${total} difference(s)`} in ${files.length} file(s), ${((Date.now() - started) / 1000).toFixed(1)} s; service logs in ${stack.runDir}`,
);
await stop(total === 0 ? 0 : 1);
