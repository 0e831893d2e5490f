import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

const root = resolve(import.meta.dirname, "..");

/**
 * Tests that need the running local stack (PostgreSQL on 54322): the contract replay of
 * ../shared/auth-contract, the `*.int.test.ts` suites (the real supabase-js clients, attacks,
 * concurrency, durability) and the app's own lib/**\/*.int.test.ts (admin operations against the real Auth
 * admin API and RLS). Files run one after another: several restart or load the Auth server.
 * `server-only` throws outside Next.js, so lib/ tests get an empty module in its place.
 */
export default defineConfig({
  resolve: {
    alias: {
      "server-only": resolve(root, "lib/test-support/empty.ts"),
      "@": root,
    },
  },
  test: {
    root,
    include: ["stack/auth/contract/contract.test.ts", "stack/**/*.int.test.ts", "lib/**/*.int.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    environment: "node",
  },
});
