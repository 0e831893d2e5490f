import { StackError } from "./log.ts";

// The Auth server's modules are loaded on demand, so that stop, status and logs never load the
// server's dependencies, and a broken Auth server never prevents stopping the stack.

function missingModule(error: unknown, file: string): never {
  const err = error as NodeJS.ErrnoException;
  // Only the module itself being absent; a missing import inside it is a different failure.
  const path = new URL(`../${file}`, import.meta.url).pathname;
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(`'${path}'`)) {
    throw new StackError(`${file} does not exist: the local Auth server is incomplete in this checkout`, {
      fix: `restore ${file} (git status / git checkout), then start again`,
    });
  }
  throw error;
}

export async function loadAuthMigrations(): Promise<typeof import("./auth/migrate.ts")> {
  try {
    return await import("./auth/migrate.ts");
  } catch (error) {
    missingModule(error, "stack/auth/migrate.ts");
  }
}

export async function loadAuthKeys(): Promise<typeof import("./auth/keys.ts")> {
  try {
    return await import("./auth/keys.ts");
  } catch (error) {
    missingModule(error, "stack/auth/keys.ts");
  }
}
