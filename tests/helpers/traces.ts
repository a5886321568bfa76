import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Db } from "../../db/client.js";

export type Trace = { where: string; needle: string; value: string };

/**
 * Every column of every table (read from information_schema, so a table added later is covered without changing
 * this), cast to text — numbers, jsonb and arrays included — searched for each needle.
 */
export async function findDbTraces(db: Db, needles: readonly string[]): Promise<Trace[]> {
  const columns = (await db.execute(sql`
    SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2, 3`)) as unknown as { schema: string; table: string; column: string }[];
  if (columns.length < 20) throw new Error(`only ${columns.length} columns found: is this the test database?`);
  const found: Trace[] = [];
  for (const { schema, table, column } of columns) {
    const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const rows = (await db.execute(
      sql`SELECT ${sql.raw(ident(column))}::text AS v FROM ${sql.raw(`${ident(schema)}.${ident(table)}`)} WHERE ${sql.raw(ident(column))} IS NOT NULL`,
    )) as unknown as { v: string }[];
    for (const { v } of rows) {
      for (const needle of needles) if (v.includes(needle)) found.push({ where: `${schema}.${table}.${column}`, needle, value: v.slice(0, 300) });
    }
  }
  return found;
}

/** Every key of the Redis database, its name and its value (whatever its type), searched for each needle. */
export async function findRedisTraces(redis: Redis, needles: readonly string[]): Promise<Trace[]> {
  const found: Trace[] = [];
  for (const key of await redis.keys("*")) {
    const type = await redis.type(key);
    const values =
      type === "string" ? [(await redis.get(key)) ?? ""]
      : type === "set" ? await redis.smembers(key)
      : type === "hash" ? Object.entries(await redis.hgetall(key)).flat()
      : type === "list" ? await redis.lrange(key, 0, -1)
      : type === "zset" ? await redis.zrange(key, "0", "-1")
      : [];
    for (const v of [key, ...values]) {
      for (const needle of needles) if (v.includes(needle)) found.push({ where: `redis ${key}`, needle, value: v.slice(0, 300) });
    }
  }
  return found;
}
