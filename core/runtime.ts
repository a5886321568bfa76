import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { closeDb, createDb, type Db } from "../db/client.js";
import { errorChain } from "../db/errors.js";
import { systemClock, type Clock } from "./clock.js";
import { createLogger, outsideLogContext, type Logger } from "./logger.js";
import { unavailableService } from "./unavailable.js";

export type Runtime = { db: Db; redis: Redis; logger: Logger; clock: Clock; close(): Promise<void> };

export type RuntimeOptions = {
  /** Connections in the Postgres pool (default 10). The sandbox's embedded Postgres serves exactly one. */
  dbPoolMax?: number;
};

/** The connections a process holds, opened once at start and closed on SIGTERM. */
export function createRuntime(config: { DATABASE_URL: string; REDIS_URL: string; LOG_LEVEL: string }, name: string, options: RuntimeOptions = {}): Runtime {
  const db = createDb(config.DATABASE_URL, { max: options.dbPoolMax, processName: name });
  const logger = createLogger(config.LOG_LEVEL, name);
  const redis = createRedis(config.REDIS_URL, logger);
  return {
    db,
    redis,
    logger,
    clock: systemClock,
    async close() {
      outages.get(db)?.stop();
      await closeDb(db);
      redis.disconnect();
    },
  };
}

/** Nothing waits long for Redis: a command fails after this (the user is told to try again), never after 10+ s of retries. */
export const redisCommandTimeoutMs = 1_500;
/** Between two attempts to reconnect while Redis is down: quick at first, then every 2 s for as long as it takes. */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * A Redis connection that fails fast and heals by itself. While Redis is down a command fails at once (no offline
 * queue, no per-command retries), so an update is answered "temporarily unavailable" within a second or two instead
 * of hanging; the connection keeps reconnecting forever, and serves again as soon as Redis is back. An outage is
 * logged once when it starts and once when it ends, through pino (without an `error` listener ioredis prints a raw
 * stack trace to stderr on every failed reconnect).
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: redisCommandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: reconnectDelayMs,
  });
  let downSince: number | undefined;
  redis.on("error", (err: Error & { code?: string }) => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    logger.error({ redis: redactedUrl(url), reason: err.code ?? err.message }, "Redis is unavailable; reconnecting until it is back");
  });
  redis.on("ready", () => {
    if (downSince === undefined) return;
    logger.info({ redis: redactedUrl(url), downForMs: Date.now() - downSince }, "Redis is back");
    downSince = undefined;
  });
  return redis;
}

/**
 * Resolves once Redis answers: at start a process waits for it instead of crashing (systemd would restart it in a
 * loop). The wait itself is the one "Redis is unavailable" line logged by {@link createRedis}.
 */
export function waitForRedis(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    if (redis.status === "ready") return resolve();
    redis.once("ready", () => resolve());
  });
}

/** The URL without its password, for logs. */
const redactedUrl = (url: string) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
};

/** Between two probes of a Postgres that is down. */
const postgresProbeMs = 1_000;

/**
 * One Postgres outage as the process sees it: logged once when it starts, then probed (`select 1`) every second
 * until Postgres answers, and logged once when it ends. Reported by whoever meets it first: the start-up wait, an
 * update or request refused because of it (see {@link reportPostgresUnavailable}); later reports are silent.
 */
class PostgresOutage {
  private readonly since = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly over: Promise<void>;
  private end = () => {};

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    reason: unknown,
  ) {
    this.over = new Promise((resolve) => (this.end = resolve));
    logger.error({ reason: reasonOf(reason) }, "Postgres is unavailable; retrying until it is back");
    this.schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule() {
    // The probes outlive the update that noticed the outage: "Postgres is back" belongs to no update.
    if (!this.stopped) this.timer = outsideLogContext(() => setTimeout(() => void this.probe(), postgresProbeMs));
  }

  private async probe() {
    try {
      await this.db.execute(sql`select 1`);
    } catch {
      return this.schedule();
    }
    if (this.stopped) return;
    outages.delete(this.db);
    this.logger.info({ downForMs: Date.now() - this.since }, "Postgres is back");
    this.end();
  }
}

const outages = new WeakMap<Db, PostgresOutage>();

/** The code of a connection failure (ECONNREFUSED, CONNECT_TIMEOUT, 57P01…) or its message: never a stack trace. */
const reasonOf = (err: unknown): string => {
  const code = [...errorChain(err)].find((e) => typeof e.code === "string")?.code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
};

/**
 * Tells the process that Postgres has just been found unavailable (`unavailableService(err) === "postgres"`): the
 * first report of an outage logs it and starts probing for its end; reports during the same outage change nothing.
 */
export function reportPostgresUnavailable(runtime: Pick<Runtime, "db" | "logger">, err: unknown): void {
  if (!outages.has(runtime.db)) outages.set(runtime.db, new PostgresOutage(runtime.db, runtime.logger, err));
}

/**
 * Resolves once Postgres answers: at start a process waits for it instead of crashing (systemd would restart it in
 * a loop), with one "Postgres is unavailable" line and one "Postgres is back" line.
 */
export async function waitForPostgres(runtime: Pick<Runtime, "db" | "logger">): Promise<void> {
  try {
    await runtime.db.execute(sql`select 1`);
    return;
  } catch (err) {
    if (unavailableService(err) !== "postgres") throw err; // a wrong password or database name is not an outage
    reportPostgresUnavailable(runtime, err);
  }
  await outages.get(runtime.db)?.over;
}

/**
 * Resolves once Postgres and Redis both answer. A process started while either is down waits here, logging the
 * outage once, and retries for as long as it takes (no crash, no systemd restart loop).
 */
export async function waitForServices(runtime: Pick<Runtime, "db" | "redis" | "logger">): Promise<void> {
  await Promise.all([waitForPostgres(runtime), waitForRedis(runtime.redis)]);
}
