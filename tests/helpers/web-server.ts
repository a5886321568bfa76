import type { Redis } from "ioredis";
import { systemClock } from "../../core/clock.js";
import { createLogger } from "../../core/logger.js";
import type { Db } from "../../db/client.js";
import { startWebServer, type WebServer } from "../../web/server/main.js";
import type { WebDeps } from "../../web/server/context.js";
import { testDatabaseUrl, testRedisUrl } from "./env.js";
import { adminId } from "./fixtures.js";
import { tokens } from "./processes.js";

/**
 * The real web server on a free port of 127.0.0.1, on the test database and Redis, with the given built pages: what
 * the browser tests open. The client bot's token is the tests' one; the admin is the fixtures' admin.
 */
export function startTestWebServer(input: { db: Db; redis: Redis; telegramApiRoot: string; pages: WebDeps["pages"] }): Promise<WebServer> {
  const runtime = { db: input.db, redis: input.redis, logger: createLogger("silent"), clock: systemClock, close: async () => {} };
  const config = {
    DATABASE_URL: testDatabaseUrl,
    REDIS_URL: testRedisUrl,
    LOG_LEVEL: "silent" as const,
    CLIENT_BOT_TOKEN: tokens.client,
    ADMIN_IDS: [adminId],
    TELEGRAM_API_ROOT: input.telegramApiRoot,
    PORT: 0,
    PUBLIC_URL: undefined,
    INIT_DATA_MAX_AGE_SECONDS: 3600,
  };
  return startWebServer(config, runtime, { host: "127.0.0.1", port: 0, pages: input.pages });
}
