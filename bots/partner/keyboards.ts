import { InlineKeyboard, Keyboard } from "grammy";
import { callbackData } from "../../telegram/callback-data.js";
import type { BaseContext } from "../shared/context.js";

export const confirmButton = callbackData("ok", ["answer"]);
export const categoryButton = callbackData("cat", ["category"]);
export const redemptionCode = callbackData("rcode", ["request"]);
export const redemptionCancel = callbackData("rcancel", ["request"]);
export const undoPick = callbackData("undo", ["entry"]);
export const undoConfirm = callbackData("undook", ["entry"]);
export const statsPeriod = callbackData("stats", ["days"]);
export const promotionDelete = callbackData("pdel", ["promotion"]);
export const staffRemove = callbackData("srm", ["telegram"]);
export const staffInvite = callbackData("sinv", ["go"]);
export const settingPick = callbackData("set", ["field"]);

export const categories = ["cafe", "restaurant", "beauty", "shop", "services", "other"] as const;

export const partnerMenuKeys = ["menu-accrue", "menu-redeem", "menu-find", "menu-undo", "menu-stats", "menu-more"] as const;

export function partnerMenu(t: BaseContext["t"]) {
  return new Keyboard()
    .text(t("menu-accrue"))
    .text(t("menu-redeem"))
    .row()
    .text(t("menu-find"))
    .text(t("menu-undo"))
    .row()
    .text(t("menu-stats"))
    .text(t("menu-more"))
    .resized()
    .persistent();
}

export const yesNo = (t: BaseContext["t"]) =>
  new InlineKeyboard().text(t("confirm"), confirmButton.pack({ answer: "yes" })).text(t("decline"), confirmButton.pack({ answer: "no" }));
