import { setClientBlocked } from "../../../core/clients/service.js";
import { adjustBalance } from "../../../core/ledger/service.js";
import { setPartnerBlocked } from "../../../core/partners/service.js";
import { reasonRule } from "../../../core/moderation.js";
import { clearKeyboard, ask, askButton, parseText, type Parse } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";
import { InlineKeyboard } from "grammy";
import { confirmButton } from "../keyboards.js";

const parseSignedPoints: Parse<number> = (text) => {
  const m = /^([+-]?)(\d{1,7})$/.exec(text.replace(/\s/g, ""));
  const n = m ? Number(`${m[1]}${m[2]}`) : 0;
  return n !== 0 && Math.abs(n) <= 1_000_000 ? { ok: true, value: n } : { ok: false, error: "adjust-invalid" };
};

/** A manual correction of a client's balance, with a reason; confirmed before it is written, audited. */
export async function adjust(conversation: BotConversation, ctx: ConvContext, clientId: number) {
  const points = await ask(conversation, ctx, ctx.t("ask-adjust-points"), parseSignedPoints);
  const reason = await ask(conversation, ctx, ctx.t("ask-adjust-reason"), parseText(reasonRule), { maxLength: 500 });
  const keyboard = new InlineKeyboard().text(ctx.t("confirm"), confirmButton.pack({ answer: "yes" })).text(ctx.t("decline"), confirmButton.pack({ answer: "no" }));
  const { data, ctx: answer } = await askButton(conversation, ctx, ctx.t("adjust-confirm", { points, clientId, reason }), keyboard, "ok:");
  await clearKeyboard(answer);
  if (confirmButton.unpack(data)?.answer !== "yes") return void (await answer.reply(answer.t("cancelled")));
  const adminTelegramId = ctx.from!.id;
  // The confirming update keys the adjustment: a replay after a crash finds it instead of adjusting twice.
  const idempotencyKey = `admin:${adminTelegramId}:${answer.update.update_id}`;
  const outcome = await conversation.external(() =>
    attempt(async () => (await adjustBalance(ctx.deps.db, { adminTelegramId, clientId, points, reason, idempotencyKey }, ctx.deps.clock)).balanceAfter),
  );
  await answer.reply(outcome.ok ? answer.t("adjusted", { balance: outcome.value }) : refusalText(answer.t, outcome));
}

/** Block or unblock a client or partner, with a reason for the audit log. */
export async function setBlocked(conversation: BotConversation, ctx: ConvContext, kind: "c" | "p", id: number, blocked: boolean) {
  const reason = await ask(conversation, ctx, ctx.t("ask-block-reason"), parseText(reasonRule), { maxLength: 500 });
  const adminTelegramId = ctx.from!.id;
  const outcome = await conversation.external(() =>
    attempt(async () => {
      if (kind === "c") await setClientBlocked(ctx.deps.db, { adminTelegramId, clientId: id, blocked, reason });
      else await setPartnerBlocked(ctx.deps.db, { adminTelegramId, partnerId: id, blocked, reason });
    }),
  );
  await ctx.reply(outcome.ok ? ctx.t(blocked ? "blocked-done" : "unblocked-done") : refusalText(ctx.t, outcome));
}
