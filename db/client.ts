import { sql } from "drizzle-orm";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema> & { $client: postgres.Sql };
/** A transaction handle; every use-case accepts either, so callers can compose them in one transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type CreateDbOptions = {
  /** Connections in the pool (postgres.js default 10). */
  max?: number;
};

export function createDb(url: string, options: CreateDbOptions = {}): Db {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // The server's NOTICE lines (e.g. "relation already exists, skipping") are not ours to print.
    onnotice: () => {},
  });
  return drizzle(sql, { schema });
}

export async function closeDb(db: Db): Promise<void> {
  await db.$client.end({ timeout: 5 });
}

/**
 * A timestamp parameter for a raw `sql` template. postgres.js cannot bind a JS `Date` there (the query builder
 * converts column values, raw templates do not), so it travels as ISO text with an explicit cast.
 */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
