import { autoRetry } from "@grammyjs/auto-retry";
import { conversations, createConversation } from "@grammyjs/conversations";
import type { I18n } from "@grammyjs/i18n";
import { limit } from "@grammyjs/ratelimiter";
import { randomUUID } from "node:crypto";
import { sequentialize } from "@grammyjs/runner";
import { RedisAdapter } from "@grammyjs/storage-redis";
import type { Bot, Middleware, MiddlewareFn } from "grammy";
import { DomainError } from "../../core/errors.js";
import { reportPostgresUnavailable } from "../../core/runtime.js";
import { unavailableService } from "../../core/unavailable.js";
import { chosenLanguage } from "../../core/users/service.js";
import type { BaseContext, BotContext, BotConversation, ConvContext, FlowExits } from "./context.js";
import type { BotDeps } from "./deps.js";
import type { BotName } from "../../telegram/bot-name.js";
import { crashBeforeFirstSave } from "./faults.js";
import { inAllLanguages, telegramLanguage } from "../../telegram/i18n.js";
import { countUpdateError, observeUpdates } from "../../telegram/observe.js";

export type ConversationFn = (conversation: BotConversation, ctx: ConvContext, ...args: never[]) => Promise<unknown>;

/**
 * Bumping this drops every conversation in flight (the conversations plugin discards state of another version).
 * Change it only together with a note in the README's migration notes.
 */
export const conversationStateVersion = 1;

/** How long an unfinished conversation is kept (a cashier may step away); afterwards it starts over. */
const conversationTtlSeconds = 24 * 60 * 60;

export type BotSetup = {
  name: BotName;
  deps: BotDeps;
  i18n: I18n<BaseContext>;
  /** Decides who may use this bot; runs after i18n so it can answer in the user's language. */
  roleCheck: Middleware<BotContext>;
  conversations: Record<string, ConversationFn>;
  /**
   * What leaves a conversation and does what it says (see `exitOnCancel`): the bot's own commands and its menu's
   * reply-keyboard buttons (Fluent keys, matched in every language).
   */
  flowExits?: { commands: readonly string[]; menuKeys: readonly string[] };
};

/**
 * The one middleware stack every bot uses, in this order (the order matters):
 *  −1. observation — metrics for the update, and { bot, updateId } on every log line written while handling it;
 *  0. sequentialize per chat — the runner handles updates concurrently, but one chat's updates one at a time,
 *     so a conversation never sees its own steps out of order;
 *  1. deps on the context — everything below reads `ctx.deps`;
 *  2. error boundary — a DomainError becomes its localised message, anything else a "something went wrong"
 *     for the user and a log line with the update id for the operator; nothing escapes to crash the process;
 *  3. de-duplication by update_id in Redis — Telegram delivers at least once; a repeat is dropped;
 *  4. rate limit per user in Redis — one friendly "slow down", then silence until the window passes;
 *  5. i18n (Fluent) — `ctx.t`, in the language stored in Postgres;
 *  6. role check — the bot's own rule of who may talk to it;
 *  7. conversations, stored in Redis so a restart in the middle of one loses nothing.
 * The bot's features come after.
 */
export function installCommonMiddleware(bot: Bot<BotContext>, setup: BotSetup): void {
  const { deps, i18n, name } = setup;
  const flowExits: FlowExits = {
    commands: new Set(setup.flowExits?.commands ?? []),
    labels: new Set((setup.flowExits?.menuKeys ?? []).flatMap((key) => inAllLanguages(i18n, key))),
  };
  const injectDeps: MiddlewareFn<BaseContext> = (ctx, next) => {
    ctx.deps = deps;
    ctx.flowExits = flowExits;
    return next();
  };
  bot.use(observeUpdates<BotContext>(name));
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));
  bot.use(injectDeps);
  bot.use(errorBoundary(name, i18n));
  bot.use(dedupeUpdates(name));
  // 3½. Private chats only: in a group anyone could answer a cashier's conversation or press someone's button.
  bot.use((ctx, next) => (ctx.chat && ctx.chat.type !== "private" ? undefined : next()));
  bot.use(rateLimit(name, i18n));
  bot.use(i18n);
  bot.use(setup.roleCheck);
  bot.use(
    conversations<BotContext, ConvContext>({
      storage: {
        type: "key",
        version: conversationStateVersion,
        prefix: `conv:${name}:`,
        adapter: crashBeforeFirstSave(new RedisAdapter({ instance: deps.redis, ttl: conversationTtlSeconds }), deps.faultCrashBeforeConversationSave === true),
      },
      // Inside a conversation the context (and its Api) is rebuilt on every replay: give it deps, i18n and
      // auto-retry again, or a 429 after a write would turn into "something went wrong".
      plugins: [
        injectDeps,
        i18n,
        (ctx, next) => {
          ctx.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
          return next();
        },
      ],
    }),
  );
  for (const [id, fn] of Object.entries(setup.conversations)) {
    bot.use(createConversation<BotContext, ConvContext>(fn as never, { id }));
  }
}

/** The localised text of a DomainError (`error-<code>` in the Fluent files, with its details as variables). */
export function domainErrorText(t: BaseContext["t"], err: DomainError): string {
  return t(`error-${err.code.toLowerCase().replaceAll("_", "-")}`, err.details);
}

function errorBoundary(name: BotName, i18n: I18n<BaseContext>): MiddlewareFn<BaseContext> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const unavailable = unavailableServiceFor(ctx.deps.redis, err);
      // The outage itself is logged once (core/runtime.ts); each update it costs is a short line, not a stack trace.
      if (unavailable === "postgres") reportPostgresUnavailable(ctx.deps, err);
      if (!(err instanceof DomainError)) countUpdateError(name); // a user's mistake is not a failure
      if (unavailable) ctx.deps.logger.warn({ bot: name, updateId: ctx.update.update_id }, `update refused: ${serviceNames[unavailable]} is unavailable`);
      else if (!(err instanceof DomainError)) ctx.deps.logger.error({ err, bot: name, updateId: ctx.update.update_id }, "update failed");
      try {
        const text = unavailable ? await unavailableText(ctx, i18n, unavailable) : errorText(ctx, i18n, err);
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: text.slice(0, 200), show_alert: true });
        else if (ctx.chat) await ctx.reply(text);
      } catch (replyErr) {
        ctx.deps.logger.warn({ err: replyErr, bot: name, updateId: ctx.update.update_id }, "could not tell the user about an error");
      }
    }
  };
}

const serviceNames = { postgres: "Postgres", redis: "Redis" } as const;

/**
 * Which backing service an update failed on, if any (core/unavailable.ts), and Redis whenever its connection is
 * not ready: dedupe, rate limit and conversation state all live there, whatever the error says.
 */
export function unavailableServiceFor(redis: BotDeps["redis"], err: unknown): "postgres" | "redis" | undefined {
  return unavailableService(err) ?? (redis.status !== "ready" ? "redis" : undefined);
}

/**
 * "Temporarily unavailable" in the language the user chose, else their Telegram app's. The choice lives in
 * Postgres: while Postgres is the one away it is not asked (that would only add a second wait to the answer).
 */
async function unavailableText(ctx: BaseContext, i18n: I18n<BaseContext>, service: "postgres" | "redis"): Promise<string> {
  const chosen = ctx.from && service !== "postgres" ? await chosenLanguage(ctx.deps.db, ctx.from.id).catch(() => undefined) : undefined;
  return i18n.t(chosen ?? telegramLanguage(ctx), "error-temporarily-unavailable");
}

/** Identifies this process's life: an "in progress" mark left by an earlier life means that process died. */
const bootId = randomUUID();

/** The user's message for an error; it must not fail itself, whatever state i18n was left in. */
function errorText(ctx: BaseContext, i18n: I18n<BaseContext>, err: unknown): string {
  const fallback: BaseContext["t"] = (key, vars) => i18n.t(telegramLanguage(ctx), key, vars);
  for (const t of [ctx.t, fallback]) {
    try {
      if (typeof t === "function") return err instanceof DomainError ? domainErrorText(t, err) : t("error-generic");
    } catch {
      // i18n did not finish for this update: try the fallback.
    }
  }
  return i18n.t("ru", "error-generic");
}

/**
 * Marks an update as in progress (so a concurrent duplicate is dropped) and as done for 24 h once handled, which
 * is also after the conversations plugin has saved its state. A chat's updates are handled by one process at a time
 * (by long polling there is one process per bot; by webhook, only the holder of the chat's lock in Redis handles
 * them: bots/shared/chat-queue.ts), so an "in progress" mark from another boot was left by a process that died
 * mid-update, or lost the chat's lock: its redelivery is handled (the money writes' idempotency keys make that safe).
 */
function dedupeUpdates(name: BotName): MiddlewareFn<BaseContext> {
  return async (ctx, next) => {
    const key = dedupeKey(name, ctx.me.id, ctx.update.update_id);
    const mine = `processing:${bootId}`;
    if ((await ctx.deps.redis.set(key, mine, "EX", 60, "NX")) === null) {
      const seen = await ctx.deps.redis.get(key);
      const orphaned = seen?.startsWith("processing:") && seen !== mine;
      if (!orphaned) {
        ctx.deps.logger.info({ bot: name, updateId: ctx.update.update_id }, "duplicate update dropped");
        return;
      }
      await ctx.deps.redis.set(key, mine, "EX", 60);
    }
    await next();
    await ctx.deps.redis.set(key, "done", "EX", 24 * 60 * 60);
  };
}

export const dedupeKey = (bot: BotName, botId: number, updateId: number) => `dedupe:${bot}:${botId}:${updateId}`;

function rateLimit(name: BotName, i18n: I18n<BaseContext>): MiddlewareFn<BaseContext> {
  let limiter: MiddlewareFn<BaseContext> | undefined;
  return (ctx, next) => {
    limiter ??= limit<BaseContext, BotDeps["redis"]>({
      timeFrame: ctx.deps.rateLimit?.windowMs ?? 3_000,
      limit: ctx.deps.rateLimit?.limit ?? 10,
      storageClient: ctx.deps.redis,
      keyPrefix: `ratelimit:${name}:`,
      keyGenerator: (c) => c.from?.id.toString(),
      onLimitExceeded: async (c) => {
        const language = (c.from && (await chosenLanguage(c.deps.db, c.from.id).catch(() => undefined))) ?? telegramLanguage(c);
        if (c.callbackQuery) await c.answerCallbackQuery({ text: i18n.t(language, "slow-down") });
        else await c.reply(i18n.t(language, "slow-down"));
      },
    }) as MiddlewareFn<BaseContext>;
    return limiter(ctx, next);
  };
}
