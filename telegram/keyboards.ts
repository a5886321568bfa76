import { InlineKeyboard } from "grammy";
import { callbackData } from "./callback-data.js";
import type { Translate } from "./i18n.js";

// Buttons on messages the worker sends in a bot's name: the press reaches that bot, which matches the same callback data.

/** Admin bot. kind: "p" a partner application, "s" a service, "b" a partner's broadcast. */
export const moderate = callbackData("mod", ["kind", "id", "verdict"]);

export const moderationKeyboard = (t: Translate, kind: "p" | "s" | "b", id: number) =>
  new InlineKeyboard().text(t("approve"), moderate.pack({ kind, id, verdict: "ok" })).text(t("reject"), moderate.pack({ kind, id, verdict: "no" }));

/** Client bot: a cashier's request to spend the client's points, and the NPS question after a purchase. */
export const redemptionAnswer = callbackData("rdm", ["answer", "request"]);
export const npsScore = callbackData("nps", ["purchase", "score"]);

/** 0–10 in two rows, as Telegram shows at most 8 buttons comfortably in one. */
export function npsKeyboard(purchaseId: number) {
  const kb = new InlineKeyboard();
  for (let score = 0; score <= 10; score++) {
    kb.text(String(score), npsScore.pack({ purchase: purchaseId, score }));
    if (score === 5) kb.row();
  }
  return kb;
}

export function redemptionKeyboard(t: Translate, requestId: number) {
  return new InlineKeyboard()
    .text(t("confirm"), redemptionAnswer.pack({ answer: "yes", request: requestId }))
    .text(t("decline"), redemptionAnswer.pack({ answer: "no", request: requestId }));
}
