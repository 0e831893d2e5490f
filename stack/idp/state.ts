import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

const stateSchema = z.object({
  /** client_id → Apple subject → when that user first authorized that client. */
  apple_authorized: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});

type StateData = z.infer<typeof stateSchema>;

export type StateStore = {
  readonly file: string;
  /**
   * True exactly once per (client, Apple user), ever: Apple shares the user's name only on the first
   * authorization. The check-and-mark is synchronous so concurrent first sign-ins cannot both win.
   */
  claimFirstAppleAuthorization(clientId: string, sub: string): boolean;
  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void>;
};

async function readState(file: string): Promise<StateData> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return stateSchema.parse({});
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file}: not valid JSON (delete it to reset the emulators' memory)`, { cause });
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file}: unexpected content (delete it to reset the emulators' memory): ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export async function writeJsonFile(file: string, data: unknown, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Write-then-rename so a crash or a concurrent reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode });
  await rename(tmp, file);
}

export async function openStateStore(file: string): Promise<StateStore> {
  const data = await readState(file);
  let pending: Promise<void> = Promise.resolve();

  const persist = () => {
    const snapshot = structuredClone(data);
    pending = pending.catch(() => {}).then(() => writeJsonFile(file, snapshot));
    return pending;
  };

  return {
    file,
    claimFirstAppleAuthorization(clientId, sub) {
      const seen = (data.apple_authorized[clientId] ??= {});
      if (seen[sub] !== undefined) return false;
      seen[sub] = new Date().toISOString();
      persist().catch((error: unknown) => {
        console.error(`idp: cannot write ${file}:`, error);
      });
      return true;
    },
    flush() {
      return pending;
    },
  };
}
