// Stands in for `server-only` when Vitest runs lib/ code outside Next.js (stack/vitest.integration.config.ts).
export {};
