import { describe, expect, it } from "vitest";
import { authEnv, idpEnv } from "../env.ts";
import { stackPaths } from "../paths.ts";
import type { Secrets } from "../secrets.ts";
import { describeServices, orderServices } from "./index.ts";
import type { ServiceDescription, StackContext } from "./types.ts";

const paths = stackPaths("/repo");
const secrets: Secrets = {
  jwt_secret: "j".repeat(48),
  anon_key: "anon.jwt.key",
  service_role_key: "service.jwt.key",
  publishable_key: "sb_publishable_abc",
  secret_key: "sb_secret_def",
  google_client_secret: "google-secret",
  apple_client_secret: "apple-secret",
};
const ctx = (over: Partial<StackContext> = {}): StackContext => ({
  paths,
  secrets,
  isRoot: false,
  nodePath: "/usr/bin/node",
  ...over,
});
const byName = (list: ServiceDescription[], name: string) => list.find((s) => s.name === name)!;

describe("describeServices", () => {
  const services = describeServices(ctx());

  it("starts postgres, then the emulators, then the Auth server", () => {
    expect(services.map((s) => s.name)).toEqual(["postgres", "idp", "auth"]);
    expect(byName(services, "auth").dependsOn).toEqual(["postgres", "idp"]);
  });

  it("gives every service its own port, log and pid file under .stack", () => {
    expect(services.map((s) => s.port)).toEqual([54322, 54325, 54321]);
    for (const s of services) {
      expect(s.logFile).toBe(`/repo/.stack/logs/${s.name}.log`);
      expect(s.pidFile).toBe(`/repo/.stack/run/${s.name}.pid`);
    }
  });

  it("runs the emulators and the Auth server with node and their environments", () => {
    const idp = byName(services, "idp");
    expect(idp.run).toEqual({
      kind: "process",
      identity: "/repo/stack/idp/main.ts",
      command: "/usr/bin/node",
      args: ["/repo/stack/idp/main.ts"],
      env: idpEnv({ paths, secrets }),
      cwd: "/repo",
    });
    expect(idp.health).toEqual({
      kind: "http",
      url: "http://127.0.0.1:54325/google/.well-known/openid-configuration",
    });
    const auth = byName(services, "auth");
    expect(auth.run).toMatchObject({ kind: "process", args: ["/repo/stack/auth/main.ts"], env: authEnv({ paths, secrets }) });
    expect(auth.health).toEqual({
      kind: "http",
      url: "http://127.0.0.1:54321/auth/v1/health",
      headers: { apikey: "anon.jwt.key" },
    });
  });

  it("runs PostgreSQL through pg_ctl, loopback TCP only, stopped in fast mode", () => {
    const pg = byName(services, "postgres");
    expect(pg.health).toEqual({ kind: "postgres", url: "postgresql://postgres:postgres@127.0.0.1:54322/postgres" });
    if (pg.run.kind !== "daemon") throw new Error("postgres must be a daemon");
    expect(pg.run.identity).toBe("/repo/.stack/postgres/data");
    expect(pg.run.pidFile).toBe("/repo/.stack/postgres/data/postmaster.pid");
    expect(pg.run.start.command).toBe("/usr/lib/postgresql/15/bin/pg_ctl");
    expect(pg.run.start.args.slice(0, 4)).toEqual(["start", "-D", "/repo/.stack/postgres/data", "-l"]);
    expect(pg.run.start.args).toContain("-w");
    const options = pg.run.start.args[pg.run.start.args.indexOf("-o") + 1];
    expect(options).toBe("-c listen_addresses=127.0.0.1 -c port=54322 -c unix_socket_directories=''");
    expect(pg.run.stop.args).toEqual(["stop", "-D", "/repo/.stack/postgres/data", "-m", "fast", "-w", "-t", "60"]);
  });

  it("as root, runs pg_ctl as the postgres user and everything else as is", () => {
    const services = describeServices(ctx({ isRoot: true }));
    const pg = byName(services, "postgres");
    if (pg.run.kind !== "daemon") throw new Error("postgres must be a daemon");
    expect(pg.run.start.command).toBe("runuser");
    expect(pg.run.start.args.slice(0, 5)).toEqual(["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "start"]);
    expect(pg.run.stop.args.slice(0, 5)).toEqual(["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "stop"]);
    expect(byName(services, "auth").run).toMatchObject({ command: "/usr/bin/node" });
  });

  it("describes the services without secrets (stop and status before any start)", () => {
    const services = describeServices(ctx({ secrets: null }));
    expect(byName(services, "auth").run).toMatchObject({ env: {} });
  });
});

describe("orderServices", () => {
  const svc = (name: string, dependsOn: string[] = []) => ({ name, dependsOn }) as ServiceDescription;

  it("puts dependencies first and keeps the given order otherwise", () => {
    expect(orderServices([svc("c", ["a"]), svc("b"), svc("a")]).map((s) => s.name)).toEqual(["a", "c", "b"]);
  });

  it("rejects cycles and unknown dependencies", () => {
    expect(() => orderServices([svc("a", ["b"]), svc("b", ["a"])])).toThrow(/cycle: a → b → a/);
    expect(() => orderServices([svc("a", ["x"])])).toThrow(/unknown service x/);
  });
});
