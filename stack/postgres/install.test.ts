import { describe, expect, it } from "vitest";
import { installCommand, missingPackages } from "./install.ts";

describe("installCommand", () => {
  it("is the exact apt command, with sudo for anyone but root", () => {
    expect(installCommand(true)).toBe("apt-get update && apt-get install -y postgresql-15 postgresql-15-pgtap");
    expect(installCommand(false)).toBe(
      "sudo apt-get update && sudo apt-get install -y postgresql-15 postgresql-15-pgtap",
    );
  });
});

describe("missingPackages", () => {
  it("names each missing package once", () => {
    expect(missingPackages(() => true)).toEqual([]);
    expect(missingPackages((file) => !file.endsWith("pgtap.control"))).toEqual(["postgresql-15-pgtap"]);
    expect(missingPackages(() => false)).toEqual(["postgresql-15", "postgresql-client-15", "postgresql-15-pgtap"]);
  });
});
