// What the bots tell Prometheus and the logs about their work: each update (count, latency, failure, and the log
// context { bot, updateId }) and each Bot API request (method, outcome, 429s, messages sent).
import type { Context, MiddlewareFn, Transformer } from "grammy";
import type { Update } from "grammy/types";
import { withLogContext } from "../core/logger.js";
import { messagesSentTotal, telegram429Total, telegramRequestsTotal, updateDuration, updateErrorsTotal, updatesTotal } from "../core/ops/metrics.js";
import type { BotName } from "./bot-name.js";

/** The update's type: the one field besides update_id (message, callback_query, my_chat_member, …). */
const updateType = (update: Update) => Object.keys(update).find((key) => key !== "update_id") ?? "unknown";

/**
 * The first middleware of every bot: counts the update by type, times it, counts a failure, and runs the rest
 * inside the log context { bot, updateId } so every log line written while handling it carries both.
 * A failure the bot's error boundary catches (it answers the user and swallows the error) never reaches this
 * middleware: the boundary counts it with {@link countUpdateError}; this one counts what escapes.
 */
export function observeUpdates<C extends Context>(bot: BotName): MiddlewareFn<C> {
  updateErrorsTotal.inc({ bot }, 0);
  return async (ctx, next) => {
    const stopTimer = updateDuration.startTimer({ bot });
    try {
      await withLogContext({ bot, updateId: ctx.update.update_id }, next);
    } catch (err) {
      countUpdateError(bot);
      throw err;
    } finally {
      stopTimer();
      updatesTotal.inc({ bot, type: updateType(ctx.update) });
    }
  };
}

/** One update of `bot` failed (an unexpected error or an unavailable service; not a user's mistake). */
export function countUpdateError(bot: BotName): void {
  updateErrorsTotal.inc({ bot });
}

/** Calls that put messages in a chat (sendChatAction only shows "typing…"). */
const sendsMessages = (method: string) => (method.startsWith("send") && method !== "sendChatAction") || /^(?:copy|forward)Messages?$/.test(method);

/**
 * An API transformer: counts Telegram calls by method and outcome, 429s, and messages sent. `bot` labels them.
 *
 * grammY runs transformers in reverse order of installation: `api.config.use(a); api.config.use(b)` makes b call a,
 * a call the network. So install this one FIRST (before auto-retry): then it sits next to the network and counts
 * every attempt auto-retry makes, each 429 included; installed after auto-retry it would see only the final result.
 * A context's Api copies the bot's transformers in the same order.
 *
 * Inside a conversation every transformer sits above the conversations plugin's replay log: when a conversation is
 * replayed to reach its current step, its earlier calls are answered from the log without a request. Those are not
 * counted: a call answered within the event-loop turn it was made in cannot have been to Telegram (a response needs
 * at least one turn of I/O, and an immediate scheduled before the request runs at the end of this turn).
 */
export function observeApiCalls(bot: BotName): Transformer {
  telegram429Total.inc({ bot }, 0);
  messagesSentTotal.inc({ bot }, 0);
  return async (prev, method, payload, signal) => {
    let waitedForIo = false;
    const turn = setImmediate(() => (waitedForIo = true));
    let res: Awaited<ReturnType<typeof prev>>;
    try {
      res = await prev(method, payload, signal);
    } catch (err) {
      clearImmediate(turn);
      // No answer from Telegram (unreachable, timed out, aborted).
      if (waitedForIo) telegramRequestsTotal.inc({ bot, method, outcome: "network" });
      throw err;
    }
    clearImmediate(turn);
    if (!waitedForIo) return res; // replayed from a conversation's log
    if (res.ok) {
      telegramRequestsTotal.inc({ bot, method, outcome: "ok" });
      if (sendsMessages(method)) messagesSentTotal.inc({ bot }, Array.isArray(res.result) ? res.result.length : 1);
    } else {
      telegramRequestsTotal.inc({ bot, method, outcome: String(res.error_code) });
      if (res.error_code === 429) telegram429Total.inc({ bot });
    }
    return res;
  };
}
