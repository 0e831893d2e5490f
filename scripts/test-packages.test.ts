import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { aptInstallCommand, missingPackages } from "../stack/apt.ts";
import { CHROMIUM, testPackages } from "./test-packages.ts";

describe("testPackages", () => {
  it("asks for Debian's Chromium besides PostgreSQL and pgTAP", () => {
    const packages = testPackages({});
    expect(missingPackages(packages, (file) => file !== CHROMIUM)).toEqual(["chromium"]);
    expect(missingPackages(packages, () => false)).toEqual([
      "postgresql-15",
      "postgresql-client-15",
      "postgresql-15-pgtap",
      "chromium",
    ]);
    expect(missingPackages(packages, () => true)).toEqual([]);
  });

  it("gives one command for everything missing: as root to run, otherwise to print", () => {
    const missing = missingPackages(testPackages({}), (file) => !file.endsWith("pgtap.control") && file !== CHROMIUM);
    expect(aptInstallCommand(missing, true)).toBe("apt-get update && apt-get install -y postgresql-15-pgtap chromium");
    expect(aptInstallCommand(missing, false)).toBe(
      "sudo apt-get update && sudo apt-get install -y postgresql-15-pgtap chromium",
    );
  });

  it("needs no Debian Chromium when CHROMIUM_PATH names a browser", () => {
    expect(missingPackages(testPackages({ CHROMIUM_PATH: "/opt/chrome/chrome" }), (file) => file !== CHROMIUM)).toEqual([]);
  });

  it("checks the browser Playwright launches", () => {
    expect(readFileSync(new URL("../playwright.config.ts", import.meta.url), "utf8")).toContain(
      `process.env.CHROMIUM_PATH ?? "${CHROMIUM}"`,
    );
  });
});
