import { existsSync, readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import postgres from "postgres";
import { isAppRole, ROLES, type AppRole } from "../lib/auth/permissions.ts";

/**
 * `npm run grant-role -- <email> <role> [--allow-remote]`: sets a user's role and writes the audit row in the
 * same transaction. The way to make the first admin of a database (after that, admins assign roles in the
 * app). The user must have signed in once, so that the Auth server has created them.
 *
 * DATABASE_URL comes from the environment or .env.local and must be a role that bypasses RLS (postgres).
 * Only local databases unless --allow-remote: a hosted project's URL in a shell must not be hit by accident.
 */

const USAGE = `usage: npm run grant-role -- <email> <role> [--allow-remote]
  role: ${ROLES.join(" | ")}
  DATABASE_URL is read from the environment, else from .env.local.`;

class UsageError extends Error {}

type Options = { email: string; role: AppRole; allowRemote: boolean };

function parseArgs(argv: string[]): Options {
  const flags = argv.filter((a) => a.startsWith("--"));
  const positional = argv.filter((a) => !a.startsWith("--"));
  for (const flag of flags) {
    if (flag !== "--allow-remote") throw new UsageError(`unknown option ${flag}`);
  }
  if (positional.length !== 2) throw new UsageError("expected an email and a role");
  const [email, role] = positional as [string, string];
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`not an email address: ${JSON.stringify(email)}`);
  if (!isAppRole(role)) throw new UsageError(`unknown role ${JSON.stringify(role)}; roles are ${ROLES.join(", ")}`);
  return { email, role, allowRemote: flags.includes("--allow-remote") };
}

function databaseUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  const file = join(process.cwd(), ".env.local");
  if (existsSync(file)) {
    const value = parseEnv(readFileSync(file, "utf8")).DATABASE_URL;
    if (value) return value;
  }
  throw new Error("DATABASE_URL is not set and .env.local has none (`npm run stack -- start` writes it)");
}

function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

async function grantRole({ email, role }: Options, url: string): Promise<string> {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      const users = await tx<{ id: string; email: string }[]>`
        select id, email from auth.users where lower(email) = lower(${email}) and deleted_at is null`;
      if (users.length === 0) {
        throw new Error(`no user with the email ${email}: they must sign in once before they can get a role`);
      }
      if (users.length > 1) throw new Error(`${users.length} users have the email ${email}; refusing to guess`);
      const user = users[0]!;
      const [current] = await tx<{ role: AppRole }[]>`
        select role from public.user_roles where user_id = ${user.id} for update`;
      const before = current?.role ?? null;
      if (before === role) return `${user.email} already has the role ${role}; nothing changed`;
      await tx`
        insert into public.user_roles (user_id, role) values (${user.id}, ${role})
        on conflict (user_id) do update set role = excluded.role`;
      await tx`
        insert into public.audit_events (actor_id, action, target_user_id, user_agent, before, after)
        values (null, 'role.assign', ${user.id}, ${`scripts/grant-role (${userInfo().username}@${hostname()})`},
                ${tx.json({ role: before })}, ${tx.json({ role })})`;
      return `${user.email}: ${before ?? "no role"} → ${role} (effective on their next request; the user_role claim follows at the next token refresh)`;
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  try {
    const options = parseArgs(argv);
    const url = databaseUrl();
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw new Error("DATABASE_URL is not a valid URL");
    }
    if (!isLocalHost(host) && !options.allowRemote) {
      throw new Error(`DATABASE_URL points at ${host}, not this machine; add --allow-remote if that is intended`);
    }
    console.log(await grantRole(options, url));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`grant-role: ${error.message}\n${USAGE}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "ECONNREFUSED" ? " (is the database running? `npm run stack -- start`)" : "";
    console.error(`grant-role: ${(error as Error).message}${hint}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
