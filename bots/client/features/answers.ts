import { clearKeyboard } from "../../shared/ask.js";
import { Composer } from "grammy";
import { recordRating } from "../../../core/feedback/service.js";
import { isDomainError } from "../../../core/errors.js";
import { confirmRedemption, declineRedemption } from "../../../core/ledger/service.js";
import { asId } from "../../../telegram/callback-data.js";
import type { BotContext } from "../../shared/context.js";
import { domainErrorText } from "../../shared/middleware.js";
import { npsScore, redemptionAnswer } from "../../../telegram/keyboards.js";
import { requireClient } from "./account.js";

/** The client's answers to what the network asked them: confirm a redemption, rate a visit. */
export const answersFeature = new Composer<BotContext>();

answersFeature.callbackQuery(redemptionAnswer.pattern, async (ctx) => {
  const client = await requireClient(ctx);
  if (!client) return;
  const data = redemptionAnswer.unpack(ctx.callbackQuery.data)!;
  const requestId = asId(data.request);
  if (requestId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  // The callback query id is this press: a replay of it gets the same answer, a second press is "already decided".
  const decisionKey = `cbq:${ctx.callbackQuery.id}`;
  try {
    if (data.answer === "yes") {
      const d = await confirmRedemption(ctx.deps.db, { by: { kind: "client", clientId: client.id, requestId }, decisionKey }, ctx.deps.clock);
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(ctx.t("redemption-confirmed", { points: d.request.points, balance: d.balanceAfter ?? 0 }));
    } else {
      const d = await declineRedemption(ctx.deps.db, { clientId: client.id, requestId, decisionKey }, ctx.deps.clock);
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(ctx.t("redemption-declined", { points: d.request.points }));
    }
  } catch (err) {
    if (!isDomainError(err)) throw err;
    await ctx.answerCallbackQuery({ text: domainErrorText(ctx.t, err), show_alert: true });
    if (err.code !== "INSUFFICIENT_POINTS") await clearKeyboard(ctx);
  }
});

answersFeature.callbackQuery(npsScore.pattern, async (ctx) => {
  const client = await requireClient(ctx);
  if (!client) return;
  const data = npsScore.unpack(ctx.callbackQuery.data)!;
  const purchaseId = asId(data.purchase);
  const score = asId(data.score);
  if (purchaseId === null || score === null || score > 10) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  const rating = await recordRating(ctx.deps.db, { clientId: client.id, purchaseId, score }, ctx.deps.clock);
  await ctx.answerCallbackQuery({ text: ctx.t("nps-thanks") });
  await ctx.editMessageText(ctx.t("nps-rated", { score: rating.score }));
  if (rating.asksForComment) await ctx.conversation.enter("npsComment", rating.id);
});
