import { autoRetry } from "@grammyjs/auto-retry";
import type { I18n } from "@grammyjs/i18n";
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot, BotConfig } from "grammy";
import type { BaseContext, BotContext } from "./context.js";
import { botUsernameKey, type BotDeps, type BotName } from "./deps.js";
import { createI18n } from "./i18n.js";

export type BotFactory = (token: string, deps: BotDeps, config?: BotConfig<BotContext>) => Bot<BotContext>;

/**
 * Starts a bot with long polling: retries on 429/5xx (auto-retry), publishes its username for the other bots'
 * links and its commands in both languages, and runs updates concurrently across chats, in order within one.
 */
export async function launchBot(
  name: BotName,
  create: BotFactory,
  token: string,
  apiRoot: string,
  deps: BotDeps,
  commands: readonly string[],
): Promise<{ bot: Bot<BotContext>; stop: () => Promise<void> }> {
  const bot = create(token, deps, { client: { apiRoot } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  await bot.init();
  await deps.redis.set(botUsernameKey(name), bot.botInfo.username);
  await publishCommands(bot, createI18n(name), commands).catch((err: unknown) => deps.logger.warn({ err, bot: name }, "could not set the bot's commands"));
  const runner: RunnerHandle = run(bot, { runner: { fetch: { timeout: 30 } } });
  deps.logger.info({ bot: name, username: bot.botInfo.username }, "bot started");
  return {
    bot,
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

async function publishCommands(bot: Bot<BotContext>, i18n: I18n<BaseContext>, commands: readonly string[]) {
  for (const language of ["ru", "en"] as const) {
    const list = commands.map((command) => ({ command, description: i18n.t(language, `cmd-${command}`) }));
    await bot.api.setMyCommands(list, { language_code: language });
    if (language === "ru") await bot.api.setMyCommands(list); // the default for every other language
    await bot.api.setMyDescription(i18n.t(language, "bot-description"), { language_code: language });
    await bot.api.setMyShortDescription(i18n.t(language, "bot-short-description"), { language_code: language });
  }
}
