import { autoRetry } from "@grammyjs/auto-retry";
import type { I18n } from "@grammyjs/i18n";
import { run, type RunnerHandle } from "@grammyjs/runner";
import { Api, type Bot, type BotConfig } from "grammy";
import { loadConfigOrExit, type Config } from "../../core/config.js";
import { createRuntime, waitForRedis, type Runtime } from "../../core/runtime.js";
import { onShutdown } from "../../core/shutdown.js";
import type { BaseContext, BotContext } from "./context.js";
import { botUsernameKey, type BotDeps } from "./deps.js";
import type { BotName } from "../../telegram/bot-name.js";
import { createI18n } from "../../telegram/i18n.js";

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
  // Redis first: every update needs it (dedupe, rate limit, conversations). Started while it is down, the process
  // waits (one log line) rather than exit with a stack trace into a systemd restart loop.
  await waitForRedis(deps.redis);
  // The username is published again whenever Redis reconnects: a Redis that comes back empty has lost it.
  const publishUsername = () =>
    void deps.redis.set(botUsernameKey(name), bot.botInfo.username).catch((err: unknown) => deps.logger.warn({ err, bot: name }, "could not publish the bot's username"));
  publishUsername();
  deps.redis.on("ready", publishUsername);
  await publishCommands(bot, createI18n(name), commands).catch((err: unknown) => deps.logger.warn({ err, bot: name }, "could not set the bot's commands"));
  const runner: RunnerHandle = run(bot, { runner: { fetch: { timeout: 30 } } });
  deps.logger.info({ bot: name, username: bot.botInfo.username }, "bot started");
  return {
    bot,
    stop: async () => {
      deps.redis.off("ready", publishUsername);
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

/** What distinguishes one bot process from another. */
export type BotSpec = {
  name: BotName;
  create: BotFactory;
  commands: readonly string[];
  tokenKey: "CLIENT_BOT_TOKEN" | "PARTNER_BOT_TOKEN" | "ADMIN_BOT_TOKEN";
  /** The admin bot checks ADMIN_IDS; the others do not need it. */
  needsAdminIds?: boolean;
  /** Bots whose links this one gives out: with their token (optional) it can ask Telegram their username. */
  peers?: readonly BotName[];
};

const tokenKeyOf = { client: "CLIENT_BOT_TOKEN", partner: "PARTNER_BOT_TOKEN", admin: "ADMIN_BOT_TOKEN" } as const;

type BotProcessConfig = Pick<Config, "TELEGRAM_API_ROOT" | "RATE_LIMIT_MAX" | "RATE_LIMIT_WINDOW_MS" | "APP_SECRET" | "PUBLIC_URL"> &
  Partial<Pick<Config, "CLIENT_BOT_TOKEN" | "PARTNER_BOT_TOKEN" | "ADMIN_BOT_TOKEN" | "ADMIN_IDS" | "FAULT_CRASH_BEFORE_CONVERSATION_SAVE">>;

/** The settings a bot process needs: only those, so each can be started with its own env. */
export const botConfigKeys = (spec: BotSpec) =>
  ["DATABASE_URL", "REDIS_URL", spec.tokenKey, "APP_SECRET", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS", "FAULT_CRASH_BEFORE_CONVERSATION_SAVE", "PUBLIC_URL", ...(spec.needsAdminIds ? (["ADMIN_IDS"] as const) : [])] as const;

/** Starts one bot on an existing runtime (used alone by `npm run start:<bot>`, together by `npm start`). */
export function startBot(spec: BotSpec, config: BotProcessConfig, runtime: Runtime) {
  const token = config[spec.tokenKey];
  if (!token) throw new Error(`${spec.tokenKey} is required for the ${spec.name} bot`);
  const deps: BotDeps = {
    db: runtime.db,
    redis: runtime.redis,
    logger: runtime.logger,
    clock: runtime.clock,
    appSecret: config.APP_SECRET,
    adminIds: config.ADMIN_IDS ?? [],
    publicUrl: config.PUBLIC_URL,
    faultCrashBeforeConversationSave: config.FAULT_CRASH_BEFORE_CONVERSATION_SAVE === "1",
    rateLimit: { limit: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
    peerApis: Object.fromEntries(
      (spec.peers ?? []).flatMap((peer) => {
        const peerToken = config[tokenKeyOf[peer]];
        return peerToken ? [[peer, new Api(peerToken, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 10 })]] : [];
      }),
    ),
  };
  return launchBot(spec.name, spec.create, token, config.TELEGRAM_API_ROOT, deps, spec.commands);
}

/** `npm run start:<bot>`: config from the environment (exit with one line if it is wrong), start, stop on SIGTERM. */
export async function runBotAlone(spec: BotSpec): Promise<void> {
  // A peer's token is optional here (its bot's username is also in Redis); if it is given it must be well-formed.
  const peerTokens = Object.assign({}, ...(spec.peers ?? []).map((peer) => (process.env[tokenKeyOf[peer]] ? loadConfigOrExit([tokenKeyOf[peer]]) : {}))) as Partial<Pick<Config, (typeof tokenKeyOf)[BotName]>>;
  const config = { ...loadConfigOrExit(botConfigKeys(spec)), ...peerTokens };
  const runtime = createRuntime(config, `${spec.name}-bot`);
  const { stop } = await startBot(spec, config, runtime);
  onShutdown(runtime.logger, async () => {
    await stop();
    await runtime.close();
  });
}
