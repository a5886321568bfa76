import { callbackData } from "../../telegram/callback-data.js";

/** kind: "c" a client, "p" a partner; action: "b" block, "u" unblock, "a" adjust. */
export const targetAction = callbackData("act", ["kind", "id", "action"]);
export const confirmButton = callbackData("ok", ["answer"]);
export const recompute = callbackData("recompute", ["go"]);
export const approvalsSwitch = callbackData("approvals", ["on"]);
/** `/settings`: which setting to change (its key with "-" for "."). */
export const settingPick = callbackData("nset", ["key"]);
/** The client card's undo button for one ledger operation, and its confirmation. */
export const undoPick = callbackData("aundo", ["entry"]);
export const undoConfirm = callbackData("aundook", ["entry", "answer"]);
