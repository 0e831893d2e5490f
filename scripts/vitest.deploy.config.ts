import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Slow checks that need no running stack: scripts/**\/*.int.test.ts install and build a copy of the app
 * (about a minute on two cores). The unit run (vitest.config.ts) leaves them out.
 */
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, ".."),
    include: ["scripts/**/*.int.test.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    environment: "node",
  },
});
