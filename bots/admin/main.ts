// `npm run start:admin`: the admin bot on its own, with long polling.
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "../../core/config.js";
import { createRuntime, onShutdown } from "../../core/runtime.js";
import { launchBot } from "../shared/launch.js";
import { adminCommands, createAdminBot } from "./bot.js";

export const adminConfigKeys = ["DATABASE_URL", "REDIS_URL", "ADMIN_BOT_TOKEN", "ADMIN_IDS", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS"] as const;

export async function startAdminBot(config: ReturnType<typeof loadConfigOrExit<(typeof adminConfigKeys)[number]>>, runtime: ReturnType<typeof createRuntime>) {
  const deps = { db: runtime.db, redis: runtime.redis, logger: runtime.logger, clock: runtime.clock, rateLimit: { limit: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }, adminIds: config.ADMIN_IDS };
  return launchBot("admin", createAdminBot, config.ADMIN_BOT_TOKEN, config.TELEGRAM_API_ROOT, deps, adminCommands);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadConfigOrExit(adminConfigKeys);
  const runtime = createRuntime(config, "admin-bot");
  const { stop } = await startAdminBot(config, runtime);
  onShutdown(runtime.logger, async () => {
    await stop();
    await runtime.close();
  });
}
