// `npm run start:client`: the client bot on its own, with long polling.
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "../../core/config.js";
import { createRuntime, onShutdown } from "../../core/runtime.js";
import { launchBot } from "../shared/launch.js";
import { clientCommands, createClientBot } from "./bot.js";

export const clientConfigKeys = ["DATABASE_URL", "REDIS_URL", "CLIENT_BOT_TOKEN", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS"] as const;

export async function startClientBot(config: ReturnType<typeof loadConfigOrExit<(typeof clientConfigKeys)[number]>>, runtime: ReturnType<typeof createRuntime>) {
  const deps = { db: runtime.db, redis: runtime.redis, logger: runtime.logger, clock: runtime.clock, rateLimit: { limit: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }, adminIds: [] };
  return launchBot("client", createClientBot, config.CLIENT_BOT_TOKEN, config.TELEGRAM_API_ROOT, deps, clientCommands);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadConfigOrExit(clientConfigKeys);
  const runtime = createRuntime(config, "client-bot");
  const { stop } = await startClientBot(config, runtime);
  onShutdown(runtime.logger, async () => {
    await stop();
    await runtime.close();
  });
}
