import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * The contract test only (the root config leaves it out because it needs the local PostgreSQL):
 * `vitest run --config stack/auth/contract/vitest.config.ts`. Files run one after another against one
 * environment, in transcript order.
 */
export default defineConfig({
  cacheDir: resolve(import.meta.dirname, "..", "..", "..", "node_modules", ".vite"),
  test: {
    root: import.meta.dirname,
    include: ["contract.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
