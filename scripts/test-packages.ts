import type { AptPackage } from "../stack/apt.ts";
import { POSTGRES_PACKAGES } from "../stack/postgres/install.ts";

/** Where Playwright finds Debian's Chromium unless CHROMIUM_PATH names another browser (playwright.config.ts). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * The Debian packages `npm test` needs: PostgreSQL 15 and pgTAP for the stack and the database tests, and
 * Chromium for the end-to-end tests — all of them checked before any suite runs, so that a machine missing
 * several gets one apt command. A browser named by CHROMIUM_PATH replaces Debian's.
 */
export function testPackages(env: NodeJS.ProcessEnv): AptPackage[] {
  const browser = env.CHROMIUM_PATH ? [] : [{ name: "chromium", file: CHROMIUM }];
  return [...POSTGRES_PACKAGES, ...browser];
}
