import { InlineKeyboard } from "grammy";
import { callbackData } from "../shared/callback-data.js";
import type { BaseContext } from "../shared/context.js";

/** kind: "p" a partner application, "s" a service, "b" a partner's broadcast. */
export const moderate = callbackData("mod", ["kind", "id", "verdict"]);
/** kind: "c" a client, "p" a partner; action: "b" block, "u" unblock, "a" adjust. */
export const targetAction = callbackData("act", ["kind", "id", "action"]);
export const confirmButton = callbackData("ok", ["answer"]);
export const recompute = callbackData("recompute", ["go"]);
export const approvalsSwitch = callbackData("approvals", ["on"]);

export const moderationKeyboard = (t: BaseContext["t"], kind: "p" | "s" | "b", id: number) =>
  new InlineKeyboard().text(t("approve"), moderate.pack({ kind, id, verdict: "ok" })).text(t("reject"), moderate.pack({ kind, id, verdict: "no" }));
/** `/settings`: which setting to change (its key with "-" for "."). */
export const settingPick = callbackData("nset", ["key"]);
/** The client card's undo button for one ledger operation, and its confirmation. */
export const undoPick = callbackData("aundo", ["entry"]);
export const undoConfirm = callbackData("aundook", ["entry", "answer"]);
