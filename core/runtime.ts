import { Redis } from "ioredis";
import { closeDb, createDb, type Db } from "../db/client.js";
import { systemClock, type Clock } from "./clock.js";
import { createLogger, type Logger } from "./logger.js";

export type Runtime = { db: Db; redis: Redis; logger: Logger; clock: Clock; close(): Promise<void> };

/** The connections a process holds, opened once at start and closed on SIGTERM. */
export function createRuntime(config: { DATABASE_URL: string; REDIS_URL: string; LOG_LEVEL: string }, name: string): Runtime {
  const db = createDb(config.DATABASE_URL);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  const logger = createLogger(config.LOG_LEVEL, name);
  return {
    db,
    redis,
    logger,
    clock: systemClock,
    async close() {
      await closeDb(db);
      redis.disconnect();
    },
  };
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}
