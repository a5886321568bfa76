import { InlineKeyboard } from "grammy";
import { confirmRedemption, requestRedemption } from "../../../core/ledger/service.js";
import { redeemCap } from "../../../core/ledger/tiers.js";
import { ask, parsePositiveInt, parseRubles, type Parse } from "../../shared/ask.js";
import { formatRubles } from "../../../telegram/money.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";
import { effectiveSettings, getNetworkSettings } from "../../../core/settings/service.js";
import { findPartner } from "../../../core/partners/service.js";
import { partnerMenu, redemptionCancel, redemptionCode } from "../keyboards.js";
import { askForClient } from "./find-client.js";

/**
 * Paying with points: client → check → points (capped by the partner's share and the balance) → the client is
 * asked in the client bot; the cashier may instead type the one-time code the client reads out.
 */
export async function redemption(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const client = await askForClient(conversation, ctx, staff);
  if (client.balance <= 0) return void (await ctx.reply(ctx.t("redeem-no-points"), { reply_markup: partnerMenu(ctx.t) }));
  const checkKopecks = await ask(conversation, ctx, ctx.t("ask-check"), parseRubles);
  const percent = await conversation.external(async () => {
    const partner = await findPartner(ctx.deps.db, { id: staff.partnerId });
    return effectiveSettings(await getNetworkSettings(ctx.deps.db), partner?.settings).maxRedeemPercent;
  });
  const most = Math.min(redeemCap(checkKopecks, percent), client.balance);
  if (most <= 0) return void (await ctx.reply(ctx.t("redeem-check-too-small", { percent }), { reply_markup: partnerMenu(ctx.t) }));
  const parsePoints: Parse<number> = parsePositiveInt(most);
  const points = await ask(conversation, ctx, ctx.t("ask-points", { most, balance: client.balance, percent }), parsePoints);
  // The update that started this conversation (the same on every replay) and the points key the request, so a
  // replay after a crash finds the request it made instead of making another.
  const idempotencyKey = `redeem:${staff.partnerId}:${ctx.update.update_id}:${points}`;
  const outcome = await conversation.external(() =>
    attempt(async () => {
      const r = await requestRedemption(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, clientId: client.id, checkKopecks, points, idempotencyKey }, ctx.deps.clock);
      return { id: r.id };
    }),
  );
  if (!outcome.ok) return void (await ctx.reply(refusalText(ctx.t, outcome), { reply_markup: partnerMenu(ctx.t) }));
  const language = await conversation.external(() => ctx.i18n.getLocale());
  const keyboard = new InlineKeyboard()
    .text(ctx.t("redeem-enter-code"), redemptionCode.pack({ request: outcome.value.id }))
    .text(ctx.t("redeem-cancel"), redemptionCancel.pack({ request: outcome.value.id }));
  await ctx.reply(ctx.t("redeem-requested", { requestId: outcome.value.id, points, name: client.name, check: formatRubles(checkKopecks, language) }), { reply_markup: keyboard });
}

/**
 * The cashier types the six-digit code the client reads out, for the request whose "enter code" button was pressed.
 * A wrong code is counted by the core (a few per request, a few more per hour); while the request stands, the question does.
 */
export async function redemptionByCode(conversation: BotConversation, ctx: ConvContext, staff: StaffActor, requestId: number) {
  const parseCode: Parse<string> = (text) => (/^\d{6}$/.test(text.replace(/\s/g, "")) ? { ok: true, value: text.replace(/\s/g, "") } : { ok: false, error: "code-invalid" });
  const decisionKey = `code:${staff.partnerId}:${ctx.update.update_id}`;
  let question = ctx.t("ask-code", { requestId });
  for (;;) {
    const code = await ask(conversation, ctx, question, parseCode);
    const outcome = await conversation.external(() =>
      attempt(async () => {
        const d = await confirmRedemption(ctx.deps.db, { by: { kind: "partner", partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, requestId, code }, decisionKey }, ctx.deps.clock);
        return { points: d.request.points, balance: d.balanceAfter ?? 0 };
      }),
    );
    if (outcome.ok) return void (await ctx.reply(ctx.t("redeem-done", { points: outcome.value.points, balance: outcome.value.balance }), { reply_markup: partnerMenu(ctx.t) }));
    if (outcome.code !== "REDEMPTION_CODE_WRONG") return void (await ctx.reply(refusalText(ctx.t, outcome), { reply_markup: partnerMenu(ctx.t) }));
    question = `${refusalText(ctx.t, outcome)} ${ctx.t("code-wrong-again")}`;
  }
}
