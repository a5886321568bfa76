import { Composer } from "grammy";
import type { BotContext } from "./context.js";

/** Last in every bot: a button nobody handles (stale, from before a change) gets a polite answer, never silence. */
export function fallbackFeature(helpKey: string) {
  const feature = new Composer<BotContext>();
  feature.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  feature.on("message", (ctx) => ctx.reply(ctx.t(helpKey)));
  return feature;
}
