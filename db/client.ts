import { sql } from "drizzle-orm";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { connect, type Socket } from "node:net";
import postgres from "postgres";
import { errorChain } from "./errors.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema> & { $client: postgres.Sql };
/** A transaction handle; every use-case accepts either, so callers can compose them in one transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type CreateDbOptions = {
  /** Connections in the pool (postgres.js default 10). */
  max?: number;
  /** Shown in pg_stat_activity as `cashback:<process>:<pid>`, so one process's connections (even of two replicas on one host) can be told from another's. */
  processName?: string;
};

/** A query against a Postgres that does not answer (down, a host dropping packets) fails after this, never after 30 s. */
export const connectTimeoutSeconds = 1;

export function createDb(url: string, options: CreateDbOptions = {}): Db {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: connectTimeoutSeconds,
    // Between two attempts to open a connection that failed. postgres.js's default grows to 20 s, and a query waits
    // for it: during a long outage every update would hang that long, and the first ones after it too.
    backoff: (attempt: number) => Math.min(0.1 * attempt, 0.5),
    // A connection killed under us (Postgres restarted, a proxy cut it) is simply replaced by the next query that
    // needs it; closing idle ones after a while also keeps the pool (and pg_stat_activity) to what is really used.
    idle_timeout: 60,
    ...(options.processName !== undefined && { connection: { application_name: `cashback:${options.processName}:${process.pid}` } }),
    // Supported by postgres.js (a function returning the socket; it then connects nothing itself), not in its typings.
    ...({ socket: reportingLostQueries } as object),
    // The server's NOTICE lines (e.g. "relation already exists, skipping") are not ours to print.
    onnotice: () => {},
  });
  return drizzle(survivingConnectionLoss(sql), { schema });
}

/**
 * The connection's socket, whose close after an error is reported as a plain close. postgres.js rejects the queries
 * it has sent when the socket errs, and at a close "with an error" rejects nothing more; but a node socket closes a
 * moment after its error, and a query written to the connection in between (another update's, a probe's) was then
 * neither answered nor rejected: it waited forever. At a plain close postgres.js rejects whatever it still has in
 * flight (CONNECTION_CLOSED). The close keeps its own moment: closing earlier, while postgres.js has a write
 * pending, leaves that connection unable to ever send its handshake again.
 */
function reportingLostQueries(options: PoolOptions): Socket {
  skipTypeFetchOnceDone(options);
  const socket = options.path ? connect(options.path) : connect(options.port[0]!, options.host[0]!);
  // postgres.js names the server in its errors from these (it sets them itself on a socket it opens).
  Object.assign(socket, { host: options.host[0], port: options.port[0] });
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  let erred = false;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "error") erred = true;
    return event === "close" && erred ? emit("close", false) : emit(event, ...args);
  }) as Socket["emit"];
  return socket;
}

/** The part of postgres.js's parsed options (one object per pool, handed to `socket`) read here. */
type PoolOptions = { host: string[]; port: number[]; path: string | false; fetch_types: boolean; shared: { typeArrayMap: Record<string, number> } };

/**
 * postgres.js fetches the server's array types on every new connection, and if that connection dies during the
 * fetch, its rejection is handled by nobody: an unhandled rejection, which ends the process. The types are the
 * pool's (kept in its parsers once fetched), so once a connection has fetched them the next ones need not.
 */
function skipTypeFetchOnceDone(options: PoolOptions) {
  if (Object.keys(options.shared.typeArrayMap).length > 0) options.fetch_types = false;
}

/** postgres.js's own codes for a connection closed, ended or destroyed under a query or timed out connecting. */
export const postgresConnectionCodes: ReadonlySet<string> = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "CONNECTION_DESTROYED"]);
/** The socket's codes for a connection refused, reset, timed out or unreachable, or a host name not resolving (yet). */
export const socketFailureCodes: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "EAI_AGAIN", "ENOTFOUND"]);

const connectionLossCodes: ReadonlySet<string> = new Set([...postgresConnectionCodes, ...socketFailureCodes]);

/** True when an error (or one it wraps in `cause`, as drizzle does) carries one of these codes. */
const hasCode = (err: unknown, codes: ReadonlySet<string>) => [...errorChain(err)].some(({ code }) => typeof code === "string" && codes.has(code));

/** How long a transaction whose query failed on a broken connection waits for postgres.js to notice the close. */
const closeNoticeMs = 1_000;

/**
 * postgres.js 3.4 misbehaves when a transaction's connection dies under it: `begin` then writes its ROLLBACK (or the
 * transaction's next query) to the dead connection. If the socket is already gone that throws from a setImmediate,
 * out of every try/catch, and the process crashes (porsager/postgres#1154, #1208); if it is still closing, the
 * write is left pending and that pool connection never completes a handshake again (every query it gets times out).
 * Postgres itself has already rolled the transaction back (its session ended) and postgres.js rejects the
 * transaction with CONNECTION_CLOSED. So once the transaction has settled while its callback was still running,
 * the callback's end is never handed back to postgres.js (no ROLLBACK, no COMMIT), and the callback's further
 * queries fail at once instead of being written (or, worse, run outside the transaction on a reconnected
 * connection, porsager/postgres#1155).
 */
function survivingConnectionLoss(sql: postgres.Sql): postgres.Sql {
  const begin = sql.begin.bind(sql) as (...args: unknown[]) => Promise<unknown>;
  const guardedBegin = (...args: unknown[]) => {
    const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
    let settled = false;
    let markSettled = () => {};
    const settledSignal = new Promise<void>((resolve) => (markSettled = resolve));
    const connectionGone = () => Object.assign(new Error("write CONNECTION_CLOSED (the transaction's connection is gone)"), { code: "CONNECTION_CLOSED" });
    const never = () => new Promise<never>(() => {});
    const transaction = begin(...args, async (tx: postgres.TransactionSql) => {
      const guardedTx = new Proxy(tx, {
        get: (target, key, receiver) =>
          key === "unsafe" ? (...a: Parameters<typeof tx.unsafe>) => (settled ? Promise.reject(connectionGone()) : target.unsafe(...a)) : Reflect.get(target, key, receiver),
      });
      try {
        const result = await fn(guardedTx);
        return settled ? never() : result;
      } catch (err) {
        if (!settled && hasCode(err, connectionLossCodes)) {
          // The socket reports the failure a moment before it closes: wait for the close to settle the transaction.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([settledSignal, new Promise((resolve) => (timer = setTimeout(resolve, closeNoticeMs)))]);
          clearTimeout(timer);
        }
        if (settled) return never();
        throw err;
      }
    });
    const settle = () => {
      settled = true;
      markSettled();
    };
    transaction.then(settle, settle);
    return transaction;
  };
  return Object.assign(sql, { begin: guardedBegin }) as postgres.Sql;
}

/**
 * Closes the pool, waiting up to 2 s for queries still running. (postgres.js also waits that long for a connection
 * that lost a query to an outage and has not been used since: it keeps the query as in flight until it reconnects.)
 */
export async function closeDb(db: Db): Promise<void> {
  await db.$client.end({ timeout: 2 });
}

/**
 * A timestamp parameter for a raw `sql` template. postgres.js cannot bind a JS `Date` there (the query builder
 * converts column values, raw templates do not), so it travels as ISO text with an explicit cast.
 */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
