import { InlineKeyboard, Keyboard } from "grammy";
import type { BaseContext } from "../shared/context.js";
import { callbackData } from "../shared/callback-data.js";

export const historyPage = callbackData("hist", ["before"]);
export const redemptionAnswer = callbackData("rdm", ["answer", "request"]);
export const npsScore = callbackData("nps", ["purchase", "score"]);
export const deleteAnswer = callbackData("del", ["answer"]);

/** The menu under the input field; its labels are matched in both languages. */
export const mainMenuKeys = ["menu-balance", "menu-history", "menu-invite", "menu-promotions", "menu-services", "menu-language"] as const;

export function mainMenu(t: BaseContext["t"]) {
  return new Keyboard()
    .text(t("menu-balance"))
    .text(t("menu-history"))
    .row()
    .text(t("menu-invite"))
    .text(t("menu-promotions"))
    .row()
    .text(t("menu-services"))
    .text(t("menu-language"))
    .resized()
    .persistent();
}

/** 0–10 in two rows, as Telegram shows at most 8 buttons comfortably in one. */
export function npsKeyboard(purchaseId: number) {
  const kb = new InlineKeyboard();
  for (let score = 0; score <= 10; score++) {
    kb.text(String(score), npsScore.pack({ purchase: purchaseId, score }));
    if (score === 5) kb.row();
  }
  return kb;
}

export function redemptionKeyboard(t: BaseContext["t"], requestId: number) {
  return new InlineKeyboard()
    .text(t("confirm"), redemptionAnswer.pack({ answer: "yes", request: requestId }))
    .text(t("decline"), redemptionAnswer.pack({ answer: "no", request: requestId }));
}
