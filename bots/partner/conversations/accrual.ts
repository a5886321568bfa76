import { accrue, receiptNumberRule } from "../../../core/ledger/service.js";
import { clearKeyboard, ask, askButton, parseRubles, parseText } from "../../shared/ask.js";
import { formatRubles } from "../../../telegram/money.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";
import { confirmButton, partnerMenu, yesNo } from "../keyboards.js";
import { askForClient } from "./find-client.js";

/**
 * Cashback for a check: client → amount → receipt number → confirm → done. Nothing is written before the
 * confirmation; the accrual is idempotent on (partner, receipt number), so a replay after a crash cannot pay twice.
 */
export async function accrual(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const client = await askForClient(conversation, ctx, staff);
  const amountKopecks = await ask(conversation, ctx, ctx.t("ask-amount"), parseRubles);
  const receiptNumber = await ask(conversation, ctx, ctx.t("ask-receipt"), parseText(receiptNumberRule), { maxLength: 64 });
  const language = await conversation.external(() => ctx.i18n.getLocale());
  const amount = formatRubles(amountKopecks, language);
  const { data, ctx: answer } = await askButton(conversation, ctx, ctx.t("accrual-confirm", { name: client.name, amount, receipt: receiptNumber }), yesNo(ctx.t), "ok:");
  if (confirmButton.unpack(data)?.answer !== "yes") {
    await clearKeyboard(answer);
    await answer.reply(answer.t("cancelled"), { reply_markup: partnerMenu(answer.t) });
    return;
  }
  const outcome = await conversation.external(() =>
    attempt(() => accrue(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, clientId: client.id, amountKopecks, receiptNumber }, ctx.deps.clock)),
  );
  await clearKeyboard(answer);
  if (!outcome.ok) return void (await answer.reply(refusalText(answer.t, outcome), { reply_markup: partnerMenu(answer.t) }));
  const r = outcome.value;
  await answer.reply(answer.t(r.replayed ? "accrual-already" : "accrual-done", { points: r.points, name: client.name, balance: r.balanceAfter, tier: answer.t(`tier-${r.tier}`) }), {
    reply_markup: partnerMenu(answer.t),
  });
}
