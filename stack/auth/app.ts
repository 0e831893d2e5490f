import type postgres from "postgres";
import type { AuthConfig } from "./config.ts";
import type { KeyStore } from "./tokens.ts";

export type Sql = postgres.Sql<Record<string, never>>;
/** A connection or a transaction: every db function accepts either. */
export type Db = Sql | postgres.TransactionSql<Record<string, never>>;

/** What every endpoint receives besides its request. */
export type App = {
  config: AuthConfig;
  sql: Sql;
  keys: KeyStore;
  jwtSecret: Uint8Array;
  /** Set once the first access token since start has been signed (see `access-token.ts`). */
  state: { issuedFirstToken: boolean };
};
