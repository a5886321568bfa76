import { autoRetry } from "@grammyjs/auto-retry";
import type { I18n } from "@grammyjs/i18n";
import { createConcurrentSink, createRunner, createSource, createUpdateFetcher, type RunnerHandle } from "@grammyjs/runner";
import { Api, Context, type Bot, type BotConfig } from "grammy";
import type { Update } from "grammy/types";
import { ConfigError, exitWithConfigError, loadConfigOrExit, type Config } from "../../core/config.js";
import { watchRuntime } from "../../core/ops/metrics.js";
import { startOpsServer } from "../../core/ops/http.js";
import { createRuntime, waitForServices, type Runtime } from "../../core/runtime.js";
import { onShutdown } from "../../core/shutdown.js";
import type { BaseContext, BotContext } from "./context.js";
import { ChatQueue } from "./chat-queue.js";
import { botUsernameKey, type BotDeps } from "./deps.js";
import type { BotName } from "../../telegram/bot-name.js";
import { createI18n } from "../../telegram/i18n.js";
import { observedFetch } from "../../telegram/observe.js";
import { webhookHandler, webhookPath, webhookSecret, webhookUrl, type RequestHandler } from "./webhook.js";

export type BotFactory = (token: string, deps: BotDeps, config?: BotConfig<BotContext>) => Bot<BotContext>;

/**
 * The update types the bots handle (messages, commands and reply-keyboard buttons among them, and inline button
 * presses); Telegram sends a webhook nothing else.
 */
const handledUpdateTypes = ["message", "callback_query"] as const;

export type LaunchedBot = {
  bot: Bot<BotContext>;
  /** In webhook mode, the handler of `<WEBHOOK_URL>/<bot>`, for the process's HTTP server; undefined when polling. */
  webhook: RequestHandler | undefined;
  /** Takes no more updates and finishes the ones in hand. */
  stop: () => Promise<void>;
};

/**
 * Starts a bot: retries on 429/5xx (auto-retry), publishes its username for the other bots' links and its commands
 * in both languages, then takes updates — by long polling (the default), or with `webhookBase` (WEBHOOK_URL) through
 * the returned webhook handler and a queue per chat in Redis, so several replicas can serve one bot. Either way,
 * updates run concurrently across chats and in order within one.
 */
export async function launchBot(
  name: BotName,
  create: BotFactory,
  token: string,
  apiRoot: string,
  deps: BotDeps,
  commands: readonly string[],
  webhookBase?: string,
): Promise<LaunchedBot> {
  // Every Bot API request is counted at the fetch (a conversation's Api is built from these options too).
  const bot = create(token, deps, { client: { apiRoot, fetch: observedFetch(name) } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  await bot.init();
  // Postgres and Redis first: every update needs them. Started while one is down, the process waits (one log line)
  // rather than exit with a stack trace into a systemd restart loop.
  await waitForServices(deps);
  // The username is published again whenever Redis reconnects: a Redis that comes back empty has lost it.
  const publishUsername = () =>
    void deps.redis.set(botUsernameKey(name), bot.botInfo.username).catch((err: unknown) => deps.logger.warn({ err, bot: name }, "could not publish the bot's username"));
  publishUsername();
  deps.redis.on("ready", publishUsername);
  await publishCommands(bot, createI18n(name), commands).catch((err: unknown) => deps.logger.warn({ err, bot: name }, "could not set the bot's commands"));
  const inHand = new InHand();
  const receiving = webhookBase === undefined ? await startPolling(bot, inHand) : await startWebhook(name, bot, deps, webhookBase, inHand);
  deps.logger.info({ bot: name, username: bot.botInfo.username, mode: webhookBase === undefined ? "polling" : "webhook" }, "bot started");
  return {
    bot,
    webhook: receiving.webhook,
    stop: async () => {
      deps.redis.off("ready", publishUsername);
      await receiving.stop();
      await inHand.settled();
    },
  };
}

/** The updates this process is handling, so stopping can wait for them. */
class InHand {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(handling: Promise<T>): Promise<T> {
    this.running.add(handling);
    const forget = () => void this.running.delete(handling);
    handling.then(forget, forget);
    return handling;
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * Long polling with @grammyjs/runner, as its `run()` does, but counting the updates in hand: the runner's stop()
 * ends the polling without waiting for them. A webhook left from an earlier webhook deployment is removed first
 * (getUpdates is refused while one is set), keeping its pending updates.
 */
async function startPolling(bot: Bot<BotContext>, inHand: InHand): Promise<{ webhook: undefined; stop(): Promise<void> }> {
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  const fetchUpdates = createUpdateFetcher(bot, { fetch: { timeout: 30 } });
  const sink = createConcurrentSink<Update>({ consume: (update) => inHand.track(bot.handleUpdate(update)) }, async (error) => {
    try {
      await bot.errorHandler(error as never);
    } catch (err) {
      console.error(err);
    }
  });
  const runner: RunnerHandle = createRunner(createSource({ supply: fetchUpdates }), sink);
  runner.start();
  return {
    webhook: undefined,
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

/**
 * Webhook mode: the handler queues each update in Redis (per chat, see ChatQueue) and answers at once; the queue's
 * drainers handle them through the whole middleware stack. With Redis unreachable an update is handled here at
 * once: the error boundary tells the user the bot is temporarily unavailable, as when polling.
 */
async function startWebhook(name: BotName, bot: Bot<BotContext>, deps: BotDeps, base: string, inHand: InHand): Promise<{ webhook: RequestHandler; stop(): Promise<void> }> {
  const handle = (update: Update) =>
    inHand.track(bot.handleUpdate(update)).catch((err: unknown) => deps.logger.error({ err, bot: name, updateId: update.update_id }, "update failed"));
  const queue = new ChatQueue(deps.redis, `webhook:${name}:${bot.botInfo.id}`, handle, (update) => chatKeyOf(bot, update), deps.logger.child({ bot: name }));
  let stopping = false;
  const secret = webhookSecret(deps.appSecret, name);
  const webhook = webhookHandler({
    bot: name,
    path: webhookPath(base, name),
    secret,
    logger: deps.logger,
    stopping: () => stopping,
    accept: async (update) => {
      try {
        await queue.enqueue(update);
      } catch (err) {
        // Only a Redis that is down for sure is worked around here. A command that merely timed out may still have
        // queued the update: handling it outside the chat's lock could run it beside another replica, so it is
        // refused (503) and Telegram posts it again.
        if (deps.redis.status === "ready") throw err;
        deps.logger.warn({ reason: (err as Error).message, bot: name, updateId: update.update_id }, "could not queue a webhook update: Redis is down, handling it here");
        void handle(update);
      }
    },
  });
  queue.start();
  try {
    await bot.api.setWebhook(webhookUrl(base, name), { secret_token: secret, allowed_updates: handledUpdateTypes, drop_pending_updates: false });
  } catch (err) {
    // Rethrown without the request's payload: printed as it is, the error would put the secret token in the journal.
    throw new Error(`setWebhook for ${webhookUrl(base, name)} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    webhook,
    stop: async () => {
      stopping = true;
      await queue.stop();
    },
  };
}

/** Whose updates must be handled one at a time, in order: the chat's, else the user's; anything else stands alone. */
function chatKeyOf(bot: Bot<BotContext>, update: Update): string {
  const ctx = new Context(update, bot.api, bot.botInfo);
  return String(ctx.chat?.id ?? ctx.from?.id ?? `update-${update.update_id}`);
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

type BotProcessConfig = Pick<Config, "TELEGRAM_API_ROOT" | "RATE_LIMIT_MAX" | "RATE_LIMIT_WINDOW_MS" | "APP_SECRET" | "PUBLIC_URL" | "WEBHOOK_URL"> &
  Partial<Pick<Config, "CLIENT_BOT_TOKEN" | "PARTNER_BOT_TOKEN" | "ADMIN_BOT_TOKEN" | "ADMIN_IDS" | "FAULT_CRASH_BEFORE_CONVERSATION_SAVE">>;

/** The settings a bot process needs: only those, so each can be started with its own env. */
export const botConfigKeys = (spec: BotSpec) =>
  [
    "DATABASE_URL", "REDIS_URL", spec.tokenKey, "APP_SECRET", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS", "FAULT_CRASH_BEFORE_CONVERSATION_SAVE",
    "PUBLIC_URL", "WEBHOOK_URL", "METRICS_PORT", ...(spec.needsAdminIds ? (["ADMIN_IDS"] as const) : []),
  ] as const;

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
        return peerToken ? [[peer, new Api(peerToken, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 10, fetch: observedFetch(peer) })]] : [];
      }),
    ),
  };
  return launchBot(spec.name, spec.create, token, config.TELEGRAM_API_ROOT, deps, spec.commands, config.WEBHOOK_URL);
}

/**
 * `npm run start:<bot>`: config from the environment (exit with one line if it is wrong), start, stop on SIGTERM.
 * With METRICS_PORT, an ops server (/healthz, /readyz, /metrics) on it, which in webhook mode also receives the
 * bot's webhook (so webhook mode needs it).
 */
export async function runBotAlone(spec: BotSpec): Promise<void> {
  // A peer's token is optional here (its bot's username is also in Redis); if it is given it must be well-formed.
  const peerTokens = Object.assign({}, ...(spec.peers ?? []).map((peer) => (process.env[tokenKeyOf[peer]] ? loadConfigOrExit([tokenKeyOf[peer]]) : {}))) as Partial<Pick<Config, (typeof tokenKeyOf)[BotName]>>;
  const config = { ...loadConfigOrExit(botConfigKeys(spec)), ...peerTokens };
  if (config.WEBHOOK_URL !== undefined && config.METRICS_PORT === undefined) {
    exitWithConfigError(new ConfigError("METRICS_PORT", `is missing: with WEBHOOK_URL set, the ${spec.name} bot started alone receives its webhook on METRICS_PORT`));
  }
  const runtime = createRuntime(config, `${spec.name}-bot`);
  watchRuntime(runtime, `${spec.name}-bot`);
  // The server listens before the webhook is registered; until the bot is up its webhook path answers 503 (retried).
  let webhook: RequestHandler | undefined;
  const ops =
    config.METRICS_PORT === undefined
      ? undefined
      : await startOpsServer({
          port: config.METRICS_PORT,
          runtime,
          ...(config.WEBHOOK_URL !== undefined && {
            fallback: (req, res) => {
              if (webhook?.(req, res)) return;
              res.writeHead(webhook ? 404 : 503, { "content-length": 0 }).end();
            },
          }),
        });
  // Registered before the start, which may wait long for Postgres or Redis: a SIGTERM meanwhile still exits cleanly.
  let launched: LaunchedBot | undefined;
  onShutdown(runtime.logger, async (step) => {
    // While the bot finishes its updates in hand, its webhook answers 503 (Telegram retries) and /readyz says draining.
    step("bot");
    await launched?.stop();
    step("ops server");
    await ops?.close();
    step("connections");
    await runtime.close();
  });
  launched = await startBot(spec, config, runtime);
  webhook = launched.webhook;
}
