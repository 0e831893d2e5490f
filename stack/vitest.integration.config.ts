import { defineConfig } from "vitest/config";

/**
 * Tests that need the running local stack (PostgreSQL on 54322): the contract replay of
 * ../shared/auth-contract and the `*.int.test.ts` suites (the real supabase-js clients, attacks,
 * concurrency, durability). Files run one after another: several restart or load the Auth server.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname + "/..",
    include: ["stack/auth/contract/contract.test.ts", "stack/**/*.int.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    environment: "node",
  },
});
