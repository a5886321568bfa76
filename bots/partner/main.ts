// `npm run start:partner`: the partner bot on its own, with long polling.
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "../../core/config.js";
import { createRuntime, onShutdown } from "../../core/runtime.js";
import { launchBot } from "../shared/launch.js";
import { partnerCommands, createPartnerBot } from "./bot.js";

export const partnerConfigKeys = ["DATABASE_URL", "REDIS_URL", "PARTNER_BOT_TOKEN", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS"] as const;

export async function startPartnerBot(config: ReturnType<typeof loadConfigOrExit<(typeof partnerConfigKeys)[number]>>, runtime: ReturnType<typeof createRuntime>) {
  const deps = { db: runtime.db, redis: runtime.redis, logger: runtime.logger, clock: runtime.clock, rateLimit: { limit: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }, adminIds: [] };
  return launchBot("partner", createPartnerBot, config.PARTNER_BOT_TOKEN, config.TELEGRAM_API_ROOT, deps, partnerCommands);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadConfigOrExit(partnerConfigKeys);
  const runtime = createRuntime(config, "partner-bot");
  const { stop } = await startPartnerBot(config, runtime);
  onShutdown(runtime.logger, async () => {
    await stop();
    await runtime.close();
  });
}
