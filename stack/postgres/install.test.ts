import { describe, expect, it } from "vitest";
import { aptInstallCommand, missingPackages } from "../apt.ts";
import { POSTGRES_PACKAGES } from "./install.ts";

describe("POSTGRES_PACKAGES", () => {
  it("names each missing Debian package once", () => {
    expect(missingPackages(POSTGRES_PACKAGES, () => true)).toEqual([]);
    expect(missingPackages(POSTGRES_PACKAGES, (file) => !file.endsWith("pgtap.control"))).toEqual(["postgresql-15-pgtap"]);
    expect(missingPackages(POSTGRES_PACKAGES, () => false)).toEqual([
      "postgresql-15",
      "postgresql-client-15",
      "postgresql-15-pgtap",
    ]);
  });

  it("gives a fresh machine one apt command for PostgreSQL 15 and pgTAP", () => {
    expect(aptInstallCommand(missingPackages(POSTGRES_PACKAGES, () => false), false)).toBe(
      "sudo apt-get update && sudo apt-get install -y postgresql-15 postgresql-client-15 postgresql-15-pgtap",
    );
  });
});
