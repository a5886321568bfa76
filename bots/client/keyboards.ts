import { Keyboard } from "grammy";
import type { BaseContext } from "../shared/context.js";
import { callbackData } from "../../telegram/callback-data.js";

export const historyPage = callbackData("hist", ["before"]);
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
