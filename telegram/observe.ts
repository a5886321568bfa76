// STUB (issue 11): the interface is fixed; the helper who owns this file fills in the bodies.
import type { Context, MiddlewareFn, Transformer } from "grammy";
import type { BotName } from "./bot-name.js";

/**
 * The first middleware of every bot: counts the update by type, times it, counts a failure, and runs the rest
 * inside the log context { bot, updateId } so every log line written while handling it carries both.
 */
export function observeUpdates<C extends Context>(_bot: BotName): MiddlewareFn<C> {
  return (_ctx, next) => next();
}

/** An API transformer: counts Telegram calls by method and outcome, 429s, and messages sent. `bot` labels them. */
export function observeApiCalls(_bot: BotName): Transformer {
  return (prev, method, payload, signal) => prev(method, payload, signal);
}
