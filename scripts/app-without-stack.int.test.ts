import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The app deploys without the local stack. A copy of the checkout without `stack/` (which is never
 * deployed) is installed from the lockfile, for production (`npm ci --omit=dev`) and then with the tools
 * that build it (`npm ci --include=dev`): neither install holds any of the stack's packages, and
 * `next build` succeeds on the second — so the app neither declares nor imports them.
 */
const root = resolve(import.meta.dirname, "..");

type Manifest = { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const readManifest = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8")) as Manifest;
const declared = (m: Manifest) => Object.keys({ ...m.dependencies, ...m.devDependencies });

/**
 * Packages the app and the stack both use and each declares; every other package of the stack is its own.
 * otpauth is a dev tool of the app: its end-to-end tests compute TOTP codes as an authenticator app would.
 */
const SHARED = ["@supabase/ssr", "@supabase/supabase-js", "@types/node", "jose", "otpauth", "postgres", "vitest", "zod"];

type Lockfile = { packages: Record<string, { version?: string }> };

/**
 * The stack's own packages, each in the version the lockfile gives the stack (a dev tool of the app may
 * well need another major of the same name, like ESLint's ajv 6), and the stack itself.
 */
function stackOnlyPackages(): { name: string; version?: string }[] {
  const stack = readManifest("stack/package.json");
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;
  const own = declared(stack).filter((name) => !SHARED.includes(name));
  const version = (name: string) => (lock.packages[`stack/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`])?.version;
  return [{ name: stack.name }, ...own.map((name) => ({ name, version: version(name) }))];
}

/** Every package under a node_modules folder, nested ones included: name → the versions found. */
function installedPackages(nodeModules: string, found = new Map<string, Set<string | undefined>>()) {
  if (!existsSync(nodeModules)) return found;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@") ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      const manifest = join(nodeModules, name, "package.json");
      const version = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version : undefined;
      found.set(name, (found.get(name) ?? new Set()).add(version));
      installedPackages(join(nodeModules, name, "node_modules"), found);
    }
  }
  return found;
}

/** The stack's packages found in `dir`'s node_modules, as name@version. */
function stackPackagesIn(dir: string): string[] {
  const installed = installedPackages(join(dir, "node_modules"));
  if (!installed.has("next")) throw new Error(`no next in ${dir}/node_modules: the install did not happen`);
  return stackOnlyPackages()
    .filter(({ name, version }) => installed.has(name) && (!version || installed.get(name)!.has(version)))
    .map(({ name, version }) => `${name}@${version ?? "link"}`);
}

/** The checkout as git sees it (tracked and untracked files, not ignored ones), without stack/. */
function copyAppWithoutStack(target: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root })
    .toString()
    .split("\0")
    .filter((file) => file && !file.startsWith("stack/") && existsSync(join(root, file)));
  for (const file of files) {
    if (!lstatSync(join(root, file)).isFile()) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(root, file), join(target, file));
  }
}

/** The environment of a fresh shell: no npm script context from a parent `npm test`, no NODE_ENV=test. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NEXT_TELEMETRY_DISABLED: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "NODE_ENV" || key === "INIT_CWD" || (key.startsWith("npm_") && key !== "npm_config_cache")) continue;
    env[key] = value;
  }
  return env;
}

function sh(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    let output = "";
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => done({ code: 1, output: `${output}\n${error.message}` }));
    child.on("exit", (code) => done({ code: code ?? 1, output }));
  });
}

async function expectSuccess(command: string, args: string[], cwd: string): Promise<void> {
  const { code, output } = await sh(command, args, cwd);
  const tail = output.trim().split("\n").slice(-60).join("\n");
  expect(code, `\`${command} ${args.join(" ")}\` exited with ${code}:\n${tail}`).toBe(0);
}

// From the lockfile and the npm cache where it can; install scripts are not needed to build.
const NPM_CI = ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"];

describe("the app without the local stack", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "app-without-stack-"));
    copyAppWithoutStack(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the list of shared packages true: both sides declare each of them", () => {
    const app = declared(readManifest("package.json"));
    const stack = declared(readManifest("stack/package.json"));
    expect(SHARED.filter((name) => !app.includes(name) || !stack.includes(name))).toEqual([]);
    expect(stackOnlyPackages()).toContainEqual({ name: "oidc-provider", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("npm ci --omit=dev installs none of the stack's packages", async () => {
    expect(existsSync(join(dir, "stack"))).toBe(false);
    await expectSuccess("npm", [...NPM_CI, "--omit=dev"], dir);
    expect(installedPackages(join(dir, "node_modules")).has("typescript")).toBe(false);
    expect(stackPackagesIn(dir)).toEqual([]);
  });

  it("with the tools that build it, still none of them, and next build succeeds", async () => {
    await expectSuccess("npm", [...NPM_CI, "--include=dev"], dir);
    expect(installedPackages(join(dir, "node_modules")).has("typescript")).toBe(true);
    expect(stackPackagesIn(dir)).toEqual([]);
    await expectSuccess(process.execPath, ["node_modules/next/dist/bin/next", "build"], dir);
  });
});
