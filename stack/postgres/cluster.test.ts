import { describe, expect, it } from "vitest";
import { ancestors, asClusterOwner, canTraverse } from "./cluster.ts";

const postgresUser = { name: "postgres", uid: 101, gid: 104, groups: [104, 103] };

describe("canTraverse", () => {
  it("uses the permission bits that apply to the account", () => {
    expect(canTraverse({ mode: 0o40700, uid: 0, gid: 0 }, postgresUser)).toBe(false); // mktemp -d
    expect(canTraverse({ mode: 0o40701, uid: 0, gid: 0 }, postgresUser)).toBe(true);
    expect(canTraverse({ mode: 0o40750, uid: 0, gid: 104 }, postgresUser)).toBe(true);
    expect(canTraverse({ mode: 0o40075, uid: 101, gid: 0 }, postgresUser)).toBe(false); // owner bits win
    expect(canTraverse({ mode: 0o40755, uid: 0, gid: 0 }, postgresUser)).toBe(true);
  });
});

describe("ancestors", () => {
  it("lists every directory from / down", () => {
    expect(ancestors("/tmp/x/.stack/postgres")).toEqual(["/", "/tmp", "/tmp/x", "/tmp/x/.stack", "/tmp/x/.stack/postgres"]);
  });
});

describe("asClusterOwner", () => {
  it("wraps the command in runuser only for root", () => {
    const cmd = { command: "/bin/initdb", args: ["-D", "d"] };
    expect(asClusterOwner(cmd, false)).toEqual(cmd);
    expect(asClusterOwner(cmd, true)).toEqual({ command: "runuser", args: ["-u", "postgres", "--", "/bin/initdb", "-D", "d"] });
  });
});
