import { describe, expect, it } from "vitest";
import { aptInstallCommand, ensureAptPackages, missingPackages, type AptPackage } from "./apt.ts";
import { StackError, type Logger } from "./log.ts";

const PACKAGES: AptPackage[] = [
  { name: "postgresql-15", file: "/pg/bin/postgres" },
  { name: "postgresql-15", file: "/pg/bin/initdb" },
  { name: "chromium", file: "/usr/bin/chromium" },
];

function recorder() {
  const lines: string[] = [];
  const log: Logger = {
    step: (m) => lines.push(`step ${m}`),
    ok: (m) => lines.push(`ok ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
  };
  return { lines, log };
}

describe("missingPackages", () => {
  it("names each package whose file is missing once, in the order given", () => {
    expect(missingPackages(PACKAGES, () => true)).toEqual([]);
    expect(missingPackages(PACKAGES, (file) => file !== "/usr/bin/chromium")).toEqual(["chromium"]);
    expect(missingPackages(PACKAGES, () => false)).toEqual(["postgresql-15", "chromium"]);
    expect(missingPackages(PACKAGES, (file) => file !== "/pg/bin/initdb")).toEqual(["postgresql-15"]);
  });
});

describe("aptInstallCommand", () => {
  it("is the exact apt command, with sudo for anyone but root", () => {
    expect(aptInstallCommand(["chromium"], true)).toBe("apt-get update && apt-get install -y chromium");
    expect(aptInstallCommand(["postgresql-15", "chromium"], false)).toBe(
      "sudo apt-get update && sudo apt-get install -y postgresql-15 chromium",
    );
  });
});

describe("ensureAptPackages", () => {
  it("does nothing when every file is there", async () => {
    const { lines, log } = recorder();
    const calls: string[][] = [];
    await ensureAptPackages(PACKAGES, {
      what: "Tools",
      isRoot: true,
      log,
      logPath: "/tmp/install.log",
      exists: () => true,
      run: async (command, args) => (calls.push([command, ...args]), 0),
    });
    expect(calls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("tells anyone but root the exact command and runs nothing", async () => {
    const calls: string[][] = [];
    const error = await ensureAptPackages(PACKAGES, {
      what: "the end-to-end tests",
      isRoot: false,
      log: recorder().log,
      logPath: "/tmp/install.log",
      exists: (file) => file !== "/usr/bin/chromium",
      run: async (command, args) => (calls.push([command, ...args]), 0),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).message).toBe("Debian packages missing for the end-to-end tests: chromium");
    expect((error as StackError).fix).toBe("sudo apt-get update && sudo apt-get install -y chromium");
    expect(calls).toEqual([]);
  });

  it("as root, runs apt-get update then install of the missing packages, saying so and where the log is", async () => {
    const { lines, log } = recorder();
    const installed = new Set<string>();
    const calls: string[][] = [];
    await ensureAptPackages(PACKAGES, {
      what: "Tools",
      isRoot: true,
      log,
      logPath: "/tmp/install.log",
      exists: (file) => file.startsWith("/pg/") || installed.has(file),
      run: async (command, args, logPath) => {
        calls.push([command, ...args, logPath]);
        if (args[0] === "install") installed.add("/usr/bin/chromium");
        return 0;
      },
    });
    expect(calls).toEqual([
      ["apt-get", "update", "/tmp/install.log"],
      ["apt-get", "install", "-y", "chromium", "/tmp/install.log"],
    ]);
    expect(lines).toEqual([
      "step Installing chromium with apt (apt-get update && apt-get install -y chromium); output in /tmp/install.log",
      "ok Installed chromium",
    ]);
  });

  it("as root, stops at a failing apt-get with the command to run by hand", async () => {
    const calls: string[][] = [];
    const error = await ensureAptPackages(PACKAGES, {
      what: "Tools",
      isRoot: true,
      log: recorder().log,
      logPath: "/nonexistent/install.log",
      exists: () => false,
      run: async (command, args) => (calls.push([command, ...args]), args[0] === "update" ? 100 : 0),
    }).catch((e: unknown) => e);
    expect(calls).toEqual([["apt-get", "update"]]);
    expect((error as StackError).message).toBe("apt-get update failed (exit code 100)");
    expect((error as StackError).fix).toBe(
      "run `apt-get update && apt-get install -y postgresql-15 chromium` yourself and read its errors",
    );
  });

  it("as root, fails when apt succeeded but the files are still missing", async () => {
    const error = await ensureAptPackages(PACKAGES, {
      what: "Tools",
      isRoot: true,
      log: recorder().log,
      logPath: "/tmp/install.log",
      exists: (file) => file.startsWith("/pg/"),
      run: async () => 0,
    }).catch((e: unknown) => e);
    expect((error as StackError).message).toBe("apt installed nothing usable for chromium");
  });
});
