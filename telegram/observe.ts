// What the bots tell Prometheus and the logs about their work: each update (count, latency, failure, and the log
// context { bot, updateId }) and each Bot API request (method, outcome, 429s, messages sent).
import type { ApiClientOptions, Context, MiddlewareFn } from "grammy";
import nodeFetch from "node-fetch";
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

/** grammY's own fetch on Node (node-fetch), which {@link observedFetch} wraps. */
type Fetch = NonNullable<ApiClientOptions["fetch"]>;

/** Methods whose result is an array of the messages they put in the chat. */
const sendsSeveral = new Set(["sendMediaGroup", "copyMessages", "forwardMessages"]);

/**
 * The `fetch` every Api of `bot` is built with (`client: { fetch: observedFetch(bot) }`): counts each real request to
 * the Bot API by method and outcome (`ok`, Telegram's error code, or `network` when no answer came), 429s, and the
 * messages Telegram accepted.
 *
 * Counted at the fetch, not in an API transformer: a request counted here went to Telegram. Auto-retry's attempts
 * each pass through it (each 429 included), while a conversation replaying its earlier steps answers their calls from
 * its log above every transformer and never reaches it. A conversation's Api is built from the bot's options
 * (`new Api(token, options)`), so it carries this fetch too.
 */
export function observedFetch(bot: BotName, base: Fetch = nodeFetch as unknown as Fetch): Fetch {
  telegram429Total.inc({ bot }, 0);
  messagesSentTotal.inc({ bot }, 0);
  return (async (url: Parameters<Fetch>[0], init: Parameters<Fetch>[1]) => {
    const method = String(url).split("?", 1)[0]!.split("/").pop() ?? "unknown";
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await base(url, init);
    } catch (err) {
      telegramRequestsTotal.inc({ bot, method, outcome: "network" });
      throw err;
    }
    // The Bot API answers with the HTTP status of its error_code (400, 403, 429…), 200 when ok.
    if (res.status === 200) {
      telegramRequestsTotal.inc({ bot, method, outcome: "ok" });
      if (sendsSeveral.has(method)) {
        const body = (await res.clone().json().catch(() => undefined)) as { result?: unknown } | undefined;
        messagesSentTotal.inc({ bot }, Array.isArray(body?.result) ? body.result.length : 1);
      } else if (sendsMessages(method)) messagesSentTotal.inc({ bot });
    } else {
      telegramRequestsTotal.inc({ bot, method, outcome: String(res.status) });
      if (res.status === 429) telegram429Total.inc({ bot });
    }
    return res;
  }) as Fetch;
}
