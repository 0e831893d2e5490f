import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  can,
  canAll,
  canAny,
  isPermission,
  isAppRole,
  isStaff,
  PERMISSIONS,
  permissionsOf,
  ROLE_PERMISSIONS,
  ROLES,
  roleFromClaims,
  type Permission,
  type AppRole,
} from "./permissions";

const migrationsDir = join(import.meta.dirname, "../../supabase/migrations");
const migrations = readdirSync(migrationsDir)
  .filter((f) => f.endsWith(".sql"))
  .sort()
  .map((file) => ({ file, sql: readFileSync(join(migrationsDir, file), "utf8").replace(/--[^\n]*/g, "") }));

function enumLabels(name: string): string[] {
  const pattern = new RegExp(`create\\s+type\\s+public\\.${name}\\s+as\\s+enum\\s*\\(([^)]*)\\)`, "gi");
  const found = migrations.flatMap(({ sql }) => [...sql.matchAll(pattern)].map((m) => m[1]!));
  expect(found, `exactly one create type public.${name}`).toHaveLength(1);
  const labels = [...found[0]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  // Later migrations: alter type … add value [if not exists] 'x' [before|after 'y'], in file order.
  const added = new RegExp(
    `alter\\s+type\\s+public\\.${name}\\s+add\\s+value\\s+(?:if\\s+not\\s+exists\\s+)?'([^']+)'(?:\\s+(before|after)\\s+'([^']+)')?\\s*;`,
    "gi",
  );
  for (const { sql } of migrations) {
    for (const [, label, where, neighbour] of sql.matchAll(added)) {
      if (labels.includes(label!)) continue;
      const at = neighbour === undefined ? -1 : labels.indexOf(neighbour);
      expect(neighbour === undefined || at >= 0, `${label} is placed next to a known label`).toBe(true);
      if (neighbour === undefined) labels.push(label!);
      else labels.splice(where!.toLowerCase() === "after" ? at + 1 : at, 0, label!);
    }
  }
  return labels;
}

/**
 * The rows of public.role_permissions once every migration ran, grouped by role: each insert adds its
 * tuples, each `delete … where role = 'r' and permission = 'p'` removes one, in file order.
 */
function seededRolePermissions(): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  const change =
    /insert\s+into\s+public\.role_permissions\s*\(\s*role\s*,\s*permission\s*\)\s*values([^;]*);|delete\s+from\s+public\.role_permissions\s+where\s+role\s*=\s*'([^']+)'\s+and\s+permission\s*=\s*'([^']+)'\s*;/gi;
  for (const { sql } of migrations) {
    for (const statement of sql.matchAll(change)) {
      if (statement[1] !== undefined) {
        for (const tuple of statement[1].matchAll(/\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)/g)) {
          (rows[tuple[1]!] ??= []).push(tuple[2]!);
        }
      } else {
        const [, , role, permission] = statement;
        expect(rows[role!] ?? [], `the delete of (${role}, ${permission}) removes a granted row`).toContain(permission);
        rows[role!] = rows[role!]!.filter((p) => p !== permission);
      }
    }
  }
  return Object.fromEntries(Object.entries(rows).filter(([, perms]) => perms.length > 0));
}

describe("the permission table mirrors the SQL", () => {
  it("has the roles of public.app_role, in order", () => {
    expect(enumLabels("app_role")).toEqual([...ROLES]);
  });

  it("has the permissions of public.app_permission, in order", () => {
    expect(enumLabels("app_permission")).toEqual([...PERMISSIONS]);
  });

  it("grants exactly the role_permissions rows the migrations insert", () => {
    const seeded = seededRolePermissions();
    const expected = Object.fromEntries(
      ROLES.filter((role) => ROLE_PERMISSIONS[role].length > 0).map((role) => [role, [...ROLE_PERMISSIONS[role]].sort()]),
    );
    const actual = Object.fromEntries(Object.entries(seeded).map(([role, perms]) => [role, [...perms].sort()]));
    expect(actual).toEqual(expected);
  });

  it("finds no other kind of change to role_permissions that this test would not understand", () => {
    const other =
      /(update\s+public\.role_permissions|truncate[^;]*public\.role_permissions|delete\s+from\s+public\.role_permissions\s+(?!where\s+role\s*=\s*'[^']+'\s+and\s+permission\s*=\s*'[^']+'\s*;)|insert\s+into\s+public\.role_permissions\s+(?!\(\s*role\s*,\s*permission\s*\)\s*values))/i;
    expect(migrations.filter(({ sql }) => other.test(sql)).map(({ file }) => file)).toEqual([]);
  });
});

describe("the roles", () => {
  it("give user no permission", () => {
    for (const p of PERMISSIONS) expect(can("user", p)).toBe(false);
  });

  it("give support users.read and audit.read only (support is read-only)", () => {
    const granted = PERMISSIONS.filter((p) => can("support", p));
    expect(granted).toEqual(["users.read", "audit.read"]);
  });

  it("list the permissions of public.app_permission in the enum's order", () => {
    expect([...PERMISSIONS]).toEqual([
      "users.read",
      "users.write",
      "users.create",
      "users.ban",
      "users.delete",
      "sessions.revoke",
      "roles.assign",
      "factors.delete",
      "audit.read",
    ]);
  });

  it("give admin every permission", () => {
    for (const p of PERMISSIONS) expect(can("admin", p)).toBe(true);
  });

  it("list no permission twice", () => {
    for (const role of ROLES) expect(new Set(ROLE_PERMISSIONS[role]).size).toBe(ROLE_PERMISSIONS[role].length);
  });
});

describe("the helpers", () => {
  it("deny everything to a missing or unknown role", () => {
    for (const p of PERMISSIONS) {
      expect(can(null, p)).toBe(false);
      expect(can(undefined, p)).toBe(false);
      expect(can("owner" as AppRole, p)).toBe(false);
    }
    expect(permissionsOf("owner" as AppRole)).toEqual([]);
  });

  it("combine permissions with canAny and canAll", () => {
    const both: Permission[] = ["users.read", "users.ban"];
    expect(canAny("support", both)).toBe(true);
    expect(canAll("support", both)).toBe(false);
    expect(canAll("admin", both)).toBe(true);
    expect(canAny("user", both)).toBe(false);
    expect(canAll("user", [])).toBe(true);
    expect(canAny("admin", [])).toBe(false);
  });

  it("recognise roles and permissions", () => {
    expect(isAppRole("support")).toBe(true);
    expect(isAppRole("Admin")).toBe(false);
    expect(isAppRole(1)).toBe(false);
    expect(isPermission("audit.read")).toBe(true);
    expect(isPermission("audit.write")).toBe(false);
  });

  it("read the user_role claim of the access token hook", () => {
    expect(roleFromClaims({ user_role: "admin" })).toBe("admin");
    expect(roleFromClaims({ user_role: "root" })).toBeNull();
    expect(roleFromClaims({ user_metadata: { user_role: "admin" } })).toBeNull();
    expect(roleFromClaims({})).toBeNull();
    expect(roleFromClaims(null)).toBeNull();
  });

  it("treat support and admin as staff", () => {
    expect(isStaff("user")).toBe(false);
    expect(isStaff("support")).toBe(true);
    expect(isStaff("admin")).toBe(true);
    expect(isStaff(null)).toBe(false);
  });
});
